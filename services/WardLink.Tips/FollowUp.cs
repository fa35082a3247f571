using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Marten.Metadata;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;

namespace WardLink.Tips;

/// <summary>
/// How an anonymous tipster gets back to their tip: a follow-up code (the document id) and a
/// secret of which only the SHA-256 hash is stored. The secret has 256 bits of randomness, so a
/// plain hash is enough; it is compared in constant time. It is kept in the tip's ward (its tenant),
/// and a code is looked up in every ward: the tipster need not know which.
/// </summary>
public sealed record FollowUpAccess(string Id, Guid TipId, byte[] SecretHash) : ITenanted
{
    public string? TenantId { get; set; }
}

/// <summary>What the tipster keeps after a public submission: both are needed to follow up.</summary>
public sealed record FollowUpCredentials(
    [property: MinLength(FollowUp.CodeLength), MaxLength(FollowUp.CodeLength)] string Code,
    [property: MinLength(FollowUp.SecretLength), MaxLength(FollowUp.SecretLength)] string Secret);

public static class FollowUp
{
    public const string SecretHeader = "X-Follow-Up-Secret";

    // No 0/O, 1/I/L: codes are read out over the phone and typed from paper.
    private const string CodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    public const int CodeLength = 12;

    /// <summary>A secret: 32 random bytes in unpadded base64url.</summary>
    public const int SecretLength = 43;

    /// <summary>
    /// The secret header, as the follow-up operations' documents declare it. A value of another length or of other characters
    /// is a wrong secret like any other, so it gets the same 404, never a 400 of its own.
    /// </summary>
    public static readonly DocumentedHeader Secret = new(
        SecretHeader,
        Required: true,
        SecretLength,
        SecretLength,
        $"^[A-Za-z0-9_-]{{{SecretLength}}}$",
        _ => $"The follow-up secret the public intake answered with the code ({SecretLength} characters of base64url). A missing or wrong secret " +
            "(of another length or other characters too) gets the same 404 as a code no tip has: the answer never tells which was wrong.",
        WrongFormIsUnknown: true);

    /// <summary>Compared against when the code is unknown, so a wrong code costs the same time as a wrong secret.</summary>
    private static readonly byte[] NoSecret = new byte[SHA256.HashSizeInBytes];

    public static (FollowUpCredentials Credentials, FollowUpAccess Access) Issue(Guid tipId)
    {
        var code = RandomNumberGenerator.GetString(CodeAlphabet, CodeLength);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (new FollowUpCredentials(code, secret), new FollowUpAccess(code, tipId, Hash(secret)));
    }

    /// <summary>
    /// The tip a code and secret open, in whichever ward (store tenant) it is, or null: the same
    /// answer for an unknown code and a wrong secret.
    /// </summary>
    public static async Task<(Guid TipId, string Tenant)?> FindTipAsync(this WardDatabases databases, string code, string? secret, CancellationToken ct)
    {
        var id = code.ToUpperInvariant();
        var access = code.Length == CodeLength
            ? (await databases.ListEveryWardAsync<FollowUpAccess>(every => every.Where(access => access.Id == id), ct)).FirstOrDefault()
            : null;
        var matches = CryptographicOperations.FixedTimeEquals(access?.SecretHash ?? NoSecret, Hash(secret ?? string.Empty));
        return access is not null && matches ? (access.TipId, access.TenantId!) : null;
    }

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
