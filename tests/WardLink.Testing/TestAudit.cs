using System.Security.Cryptography;
using WardLink.Audit;

namespace WardLink.Testing;

/// <summary>
/// The checkpoint keys of one test run (made fresh in memory, one per service): each service signs
/// with its own and checks the others' with their public keys, as in production; a test can sign a
/// checkpoint as a service would, or with a key no service trusts.
/// </summary>
public static class TestAudit
{
    private static readonly Dictionary<string, ECDsa> Keys = TestAuth.Services.ToDictionary(service => service, _ => ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Every service's public key (PEM), by service.</summary>
    public static readonly IReadOnlyDictionary<string, string> PublicKeys = Keys.ToDictionary(pair => pair.Key, pair => pair.Value.ExportSubjectPublicKeyInfoPem());

    /// <summary>The private key of <paramref name="service"/> (PEM, PKCS#8).</summary>
    public static string SigningKeyOf(string service) => Keys[service].ExportPkcs8PrivateKeyPem();

    /// <summary>
    /// What the app <typeparamref name="TEntryPoint"/> needs: its own signing key when it is one of
    /// the services (its marker names it, <c>const string Name</c>), and every service's public key.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string?>> SettingsFor<TEntryPoint>()
    {
        var service = typeof(TEntryPoint).GetField("Name")?.GetRawConstantValue() as string;
        var signing = service is not null && Keys.ContainsKey(service) ? [new($"{AuditOptions.Section}:SigningKey", SigningKeyOf(service))] : Array.Empty<KeyValuePair<string, string?>>();
        return signing.Concat(PublicKeys.Select(pair => new KeyValuePair<string, string?>($"{AuditOptions.Section}:PublicKeys:{pair.Key}", pair.Value)));
    }

    /// <summary>A signer of <paramref name="service"/>'s checkpoints with its key in this run, or with <paramref name="key"/>.</summary>
    public static CheckpointSigner SignerOf(string service, ECDsa? key = null) => new(new WardLink.ServiceDefaults.ServiceIdentity(service), key ?? Keys[service]);

    /// <summary>Every service's public key in this run, to check checkpoints' signatures with.</summary>
    public static CheckpointKeys Checks() => new(PublicKeys);

    /// <summary>The copy <paramref name="holder"/> keeps of a checkpoint of <paramref name="service"/>'s chain, signed with its key in this run.</summary>
    public static CheckpointCopy CopyOf(string holder, string service, long sequence, long position, string head, DateTimeOffset at)
    {
        var signed = SignerOf(service).Sign(sequence, position, head, at);
        return new CheckpointCopy(holder, signed.Sequence, signed.Position, signed.Head, signed.At, signed.Signature);
    }
}
