using System.Security.Cryptography;
using System.Text;

namespace WardLink.Domain;

/// <summary>Data sealed by a <see cref="SealingKey"/>: the nonce, the ciphertext and the authentication tag.</summary>
public sealed record SealedData(byte[] Nonce, byte[] Ciphertext, byte[] Tag);

/// <summary>
/// A service's AES-256-GCM key for what must never be stored in clear (a tipster's contact, an
/// answer holding a follow-up secret). The associated data binds a sealed value to the record it
/// belongs to, so it cannot be moved to another one.
/// </summary>
public sealed class SealingKey
{
    private readonly byte[] _key;

    public SealingKey(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("A sealing key is exactly 32 bytes (AES-256).", nameof(key));
        }

        _key = key;
    }

    public SealedData Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using var aes = new AesGcm(_key, tag.Length);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        return new SealedData(nonce, ciphertext, tag);
    }

    /// <summary>
    /// A keyed hash of <paramref name="data"/> (HMAC-SHA-256 under a key derived from this one for <paramref name="purpose"/>):
    /// what is kept to know a value again without keeping it, and which nobody without the key can test guesses against
    /// (a phone number in a request body, an address).
    /// </summary>
    public byte[] Fingerprint(ReadOnlySpan<byte> data, string purpose) =>
        HMACSHA256.HashData(HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, info: Encoding.UTF8.GetBytes(purpose)), data);

    /// <summary>
    /// The plaintext <paramref name="sealedData"/> holds, sealed with <paramref name="associatedData"/>: a
    /// <see cref="CryptographicException"/> when it was sealed with another key or other associated data, changed, or a part of it
    /// is missing (a sealed value read back from the database may lack any), an <see cref="ArgumentException"/> when its nonce or
    /// tag is of a length AES-GCM does not take.
    /// </summary>
    public byte[] Open(SealedData sealedData, ReadOnlySpan<byte> associatedData)
    {
        if (sealedData is not { Nonce: not null, Ciphertext: not null, Tag: not null })
        {
            throw new CryptographicException("The sealed value lacks its nonce, ciphertext or tag.");
        }

        var plaintext = new byte[sealedData.Ciphertext.Length];
        using var aes = new AesGcm(_key, sealedData.Tag.Length);
        aes.Decrypt(sealedData.Nonce, sealedData.Ciphertext, sealedData.Tag, plaintext, associatedData);
        return plaintext;
    }
}
