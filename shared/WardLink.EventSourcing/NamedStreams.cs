using System.Security.Cryptography;
using System.Text;

namespace WardLink.EventSourcing;

/// <summary>Streams found by a name rather than created with a random id (a year's counter, a patrol's shift of a day).</summary>
public static class NamedStreams
{
    /// <summary>A stable stream id for a name (a name-based UUID: SHA-256 of the name, version bits set).</summary>
    public static Guid StreamIdOf(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("wardlink:" + name), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
