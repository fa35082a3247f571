using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using WardLink.ServiceDefaults;

namespace WardLink.Tips;

/// <summary>How a tipster may be reached, when they chose to say.</summary>
public sealed record ContactDetails(
    [property: MaxLength(ContactDetails.MaxNameLength)] string? Name,
    [property: MaxLength(ContactFormats.MaxPhoneLength), RegularExpression(ContactFormats.PhonePattern)] string? Phone,
    [property: MaxLength(ContactFormats.MaxEmailLength), RegularExpression(ContactFormats.EmailPattern)] string? Email)
{
    public const int MaxNameLength = 200;

    // Checks on the fields, not fields: never read from a request, described in its schema, or shown.
    [JsonIgnore]
    public bool IsEmpty => string.IsNullOrWhiteSpace(Name) && string.IsNullOrWhiteSpace(Phone) && string.IsNullOrWhiteSpace(Email);
}

/// <summary>
/// A tipster's contact, encrypted at rest (AES-GCM, the tip id as associated data so a record
/// cannot be moved to another tip), in a document of its own so erasing it leaves the tip's
/// events intact. Never copied into an event, a message, a log or a trace.
/// </summary>
public sealed record TipContact(Guid Id, byte[] Nonce, byte[] Ciphertext, byte[] Tag);

public sealed class TipContactOptions
{
    public const string Section = "Tips";

    /// <summary>The AES-256 key, base64 of 32 bytes (<c>Tips:ContactKey</c>).</summary>
    [Required(ErrorMessage = "Tips:ContactKey is not set: give the tips service a base64 AES-256 key (32 bytes) to encrypt tipster contacts.")]
    public string? ContactKey { get; set; }

    public static bool IsValidKey(string? key)
    {
        Span<byte> bytes = stackalloc byte[33];
        return key is not null && Convert.TryFromBase64String(key, bytes, out var written) && written == 32;
    }
}

/// <summary>Seals and opens <see cref="TipContact"/> records with the configured key.</summary>
public sealed class ContactVault(IOptions<TipContactOptions> options)
{
    private readonly byte[] _key = Convert.FromBase64String(options.Value.ContactKey!);

    public TipContact Seal(Guid tipId, ContactDetails contact)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(contact);
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using var aes = new AesGcm(_key, tag.Length);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, tipId.ToByteArray());
        return new TipContact(tipId, nonce, ciphertext, tag);
    }

    public ContactDetails Open(TipContact sealedContact)
    {
        var plaintext = new byte[sealedContact.Ciphertext.Length];
        using var aes = new AesGcm(_key, sealedContact.Tag.Length);
        aes.Decrypt(sealedContact.Nonce, sealedContact.Ciphertext, sealedContact.Tag, plaintext, sealedContact.Id.ToByteArray());
        return JsonSerializer.Deserialize<ContactDetails>(plaintext)!;
    }

    /// <summary>Registers the vault; the host refuses to start without a valid key.</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddOptions<TipContactOptions>()
            .BindConfiguration(TipContactOptions.Section)
            .ValidateDataAnnotations()
            .Validate(tips => tips.ContactKey is null || TipContactOptions.IsValidKey(tips.ContactKey), "Tips:ContactKey must be base64 of exactly 32 bytes (an AES-256 key).")
            .ValidateOnStart();
        services.AddSingleton<ContactVault>();
    }
}
