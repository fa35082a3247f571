using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using WardLink.Contracts.Audit;
using WardLink.ServiceDefaults;

namespace WardLink.Audit;

/// <summary>What checking a checkpoint's signature against its service's key found.</summary>
public enum SignatureCheck
{
    Valid,

    /// <summary>It carries no signature.</summary>
    NoSignature,

    /// <summary>No key is configured for the service it claims to be of.</summary>
    UnknownService,

    /// <summary>Its signature does not verify: another key made it, or a field was changed since.</summary>
    Forged,
}

/// <summary>
/// Checkpoint signatures: ECDSA P-256 with SHA-256 (IEEE P1363, base64) over the UTF-8 of
/// <c>wardlink-checkpoint-v1 \n service \n sequence \n position \n head \n time in microseconds since 1970 UTC</c>,
/// simple enough for an auditor to check in any language.
/// </summary>
public static class CheckpointSignature
{
    /// <summary>The length of a signature's base64 text (64 bytes: r and s of P-256).</summary>
    public const int MaxLength = 88;

    public static byte[] Canonical(string service, long sequence, long position, string head, DateTimeOffset at) =>
        Encoding.UTF8.GetBytes(string.Join(
            '\n',
            "wardlink-checkpoint-v1",
            service,
            sequence.ToString(CultureInfo.InvariantCulture),
            position.ToString(CultureInfo.InvariantCulture),
            head,
            HashChain.MicrosecondsSinceEpoch(at).ToString(CultureInfo.InvariantCulture)));

    /// <summary>A time as PostgreSQL keeps it (whole microseconds), so what is signed is what is stored.</summary>
    public static DateTimeOffset Stored(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);

    /// <summary>Loads a P-256 key (private or public) from PEM; anything else is a configuration error naming <paramref name="setting"/>.</summary>
    public static ECDsa Load(string? pem, string setting)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem ?? throw new InvalidOperationException($"{setting} is not set."));
            if (key.KeySize != 256 || key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new InvalidOperationException($"{setting} is not a P-256 key.");
            }

            return key;
        }
        catch (Exception invalid) when (invalid is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidOperationException($"{setting} is not an ECDSA P-256 key in PEM form.", invalid);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public static bool IsValidKey(string? pem, bool needsPrivate)
    {
        try
        {
            using var key = Load(pem, "key");
            return !needsPrivate || key.ExportParameters(true).D is not null;
        }
        catch (Exception invalid) when (invalid is InvalidOperationException or CryptographicException)
        {
            return false;
        }
    }
}

/// <summary>Signs this service's checkpoints with its own key (<c>Audit:SigningKey</c>).</summary>
public sealed class CheckpointSigner(ServiceIdentity service, ECDsa key)
{
    public string Service => service.Name;

    /// <summary>The public half of the key, so the service can check its own stored checkpoints.</summary>
    public string PublicKeyPem { get; } = key.ExportSubjectPublicKeyInfoPem();

    /// <summary>The checkpoint of this service's chain at <paramref name="sequence"/>, signed; its time kept to the microsecond.</summary>
    public ChainCheckpointed Sign(long sequence, long position, string head, DateTimeOffset at)
    {
        var stored = CheckpointSignature.Stored(at);
        var signature = key.SignData(CheckpointSignature.Canonical(service.Name, sequence, position, head, stored), HashAlgorithmName.SHA256);
        return new ChainCheckpointed(service.Name, sequence, position, head, stored, Convert.ToBase64String(signature));
    }
}

/// <summary>
/// Every service's public key (<c>Audit:PublicKeys:{service}</c>), to check who made a checkpoint:
/// the holders before they keep a copy, the integrity endpoint and the auditor tool before they trust one.
/// </summary>
public sealed class CheckpointKeys
{
    private readonly Dictionary<string, ECDsa> _keys;

    public CheckpointKeys(IReadOnlyDictionary<string, string> publicKeys) =>
        _keys = publicKeys.ToDictionary(pair => pair.Key, pair => CheckpointSignature.Load(pair.Value, $"{AuditOptions.Section}:PublicKeys:{pair.Key}"), StringComparer.Ordinal);

    public bool Knows(string service) => _keys.ContainsKey(service);

    public SignatureCheck Check(string service, long sequence, long position, string head, DateTimeOffset at, string? signature)
    {
        if (!_keys.TryGetValue(service, out var key))
        {
            return SignatureCheck.UnknownService;
        }

        if (string.IsNullOrEmpty(signature))
        {
            return SignatureCheck.NoSignature;
        }

        var bytes = new byte[signature.Length];
        return Convert.TryFromBase64String(signature, bytes, out var written)
            && key.VerifyData(CheckpointSignature.Canonical(service, sequence, position, head, at), bytes.AsSpan(0, written), HashAlgorithmName.SHA256)
                ? SignatureCheck.Valid
                : SignatureCheck.Forged;
    }

    public SignatureCheck Check(ChainCheckpointed checkpoint) =>
        Check(checkpoint.Service, checkpoint.Sequence, checkpoint.Position, checkpoint.Head, checkpoint.At, checkpoint.Signature);
}

public static class DevelopmentAuditKeys
{
    /// <summary>
    /// In Development only, the repository's development checkpoint keys (never used elsewhere):
    /// <paramref name="service"/>'s private key and every service's public key. Configuration given
    /// explicitly wins over them.
    /// </summary>
    public static void AddDevelopmentAuditKeys(this IHostApplicationBuilder builder, string service)
    {
        if (!builder.Environment.IsDevelopment())
        {
            return;
        }

        using var stream = typeof(DevelopmentAuditKeys).Assembly.GetManifestResourceStream("WardLink.Audit.development-audit-keys.json")
            ?? throw new InvalidOperationException("The development audit keys are missing from the assembly.");
        var development = new ConfigurationBuilder().AddJsonStream(stream).Build();
        var settings = development.GetChildren()
            .Where(key => key.Key != "//")
            .Select(key => KeyValuePair.Create<string, string?>($"{AuditOptions.Section}:PublicKeys:{key.Key}", key["PublicKey"]))
            .Append(KeyValuePair.Create<string, string?>($"{AuditOptions.Section}:SigningKey", development[$"{service}:SigningKey"]))
            .Where(pair => pair.Value is not null);
        var sources = (IConfigurationBuilder)builder.Configuration;
        sources.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = settings });
    }
}
