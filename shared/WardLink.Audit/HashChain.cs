using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using WardLink.Domain;

namespace WardLink.Audit;

/// <summary>
/// The immutable fields of one event that the chain covers. <see cref="DataHash"/> is the SHA-256
/// (hex) of the event's data as PostgreSQL renders the stored jsonb, so the chain can be checked
/// from an export whose data has personal fields removed. <see cref="Ward"/>: the ward the event was recorded in (its
/// store tenant's), so a record an insider moves to another ward of the same database breaks the chain; null in a link
/// made before links named their ward, whose hash covers none.
/// </summary>
public sealed record ChainedFields(
    [property: Range(0, long.MaxValue)] long Sequence,
    Guid StreamId,
    [property: Range(1, long.MaxValue)] long Version,
    [property: MaxLength(BusinessEvents.MaxTypeNameLength)] string Type,
    [property: MaxLength(HashChain.HashLength)] string DataHash,
    DateTimeOffset RecordedAt,
    [property: MaxLength(WardNames.MaxIdLength)] string? Ward = null)
{
    /// <summary>These fields with <see cref="Type"/> and <see cref="DataHash"/> cut to their documented lengths, as a report shows them.</summary>
    public ChainedFields Shown() => this with
    {
        Type = Shown(Type, BusinessEvents.MaxTypeNameLength),
        DataHash = Shown(DataHash, HashChain.HashLength),
        Ward = Ward is null ? null : Shown(Ward, WardNames.MaxIdLength),
    };

    /// <summary>
    /// A stored text as a report shows it: its first <paramref name="length"/> characters (code points, as the report's document
    /// counts them, so one an insider wrote of emoji is never cut inside one), the most the report documents. An insider with the
    /// database may make a stored text longer; what is wrong is found by its hash, not by its length.
    /// </summary>
    public static string Shown(string text, int length) => Characters.Start(text, length);
}

/// <summary>
/// The tamper-evident chain over a service's event log: each link is
/// <c>SHA-256(previous link || canonical bytes of the event)</c>, the first one after
/// <see cref="Genesis"/>. The canonical bytes are the UTF-8 of
/// <c>sequence \n stream id \n version \n type \n data hash \n recorded time in microseconds since 1970 UTC \n ward</c>,
/// simple enough for an auditor to recompute in any language; a link made before links named their ward has no ward line.
/// </summary>
public static class HashChain
{
    /// <summary>A SHA-256 digest in hexadecimal: a link, a chain head, a data hash.</summary>
    public const int HashLength = 64;

    /// <summary>The link before the first event: 32 zero bytes.</summary>
    public static readonly string Genesis = new('0', HashLength);

    /// <summary>Whether <paramref name="text"/> is a digest as the chain writes one: <see cref="HashLength"/> lowercase hexadecimal digits.</summary>
    public static bool IsDigest([NotNullWhen(true)] string? text) => text is { Length: HashLength } && text.All(char.IsAsciiHexDigitLower);

    public static string Link(string previous, ChainedFields fields)
    {
        var head = IsDigest(previous) ? Convert.FromHexString(previous) : throw new FormatException($"'{previous}' is not a SHA-256 hex digest.");
        var canonical = Encoding.UTF8.GetBytes(Canonical(fields));
        var input = new byte[head.Length + canonical.Length];
        head.CopyTo(input, 0);
        canonical.CopyTo(input, head.Length);
        return Convert.ToHexStringLower(SHA256.HashData(input));
    }

    public static string Canonical(ChainedFields fields) => string.Join(
        '\n',
        [
            fields.Sequence.ToString(CultureInfo.InvariantCulture),
            fields.StreamId.ToString("D"),
            fields.Version.ToString(CultureInfo.InvariantCulture),
            fields.Type,
            fields.DataHash,
            MicrosecondsSinceEpoch(fields.RecordedAt).ToString(CultureInfo.InvariantCulture),
            .. fields.Ward is null ? Array.Empty<string>() : [fields.Ward],
        ]);

    /// <summary>PostgreSQL keeps microseconds; the chain uses exactly what it keeps.</summary>
    public static long MicrosecondsSinceEpoch(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
}
