using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WardLink.Contracts;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.ServiceDefaults;

namespace WardLink.Tips;

/// <summary>How a tipster may be reached, when they chose to say: a name, a phone or an email at least.</summary>
[AnyOfGiven(nameof(Name), nameof(Phone), nameof(Email))]
public sealed record ContactDetails(
    [property: MaxLength(ContactDetails.MaxNameLength)] string? Name = null,
    [property: MaxLength(ContactFormats.MaxPhoneLength), RegularExpression(ContactFormats.PhonePattern)] string? Phone = null,
    [property: MaxLength(ContactFormats.MaxEmailLength), RegularExpression(ContactFormats.EmailPattern)] string? Email = null)
{
    public const int MaxNameLength = 200;

    // Checks on the fields, not fields: never read from a request, described in its schema, or shown.
    [JsonIgnore]
    public bool IsEmpty => string.IsNullOrWhiteSpace(Name) && string.IsNullOrWhiteSpace(Phone) && string.IsNullOrWhiteSpace(Email);

    /// <summary>The contact as its checks read it, and so as it is stored: each text trimmed, a blank name none.</summary>
    public ContactDetails Trimmed() => new(string.IsNullOrWhiteSpace(Name) ? null : Name.Trim(), Phone?.Trim(), Email?.Trim());
}

/// <summary>
/// A tipster's contact, encrypted at rest (AES-GCM, the tip id as associated data so a record
/// cannot be moved to another tip), in a document of its own so erasing it leaves the tip's
/// events intact. Never copied into an event, a message, a log or a trace.
/// </summary>
public sealed record TipContact(Guid Id, byte[] Nonce, byte[] Ciphertext, byte[] Tag) : ISealedDocument;

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

/// <summary>
/// Seals and opens <see cref="TipContact"/> records with the service's <see cref="SealingKey"/>
/// (<c>Tips:ContactKey</c>), the key that also seals the kept answers of the public intake.
/// </summary>
public sealed partial class ContactVault(SealingKey key, ILogger<ContactVault> logger)
{
    /// <summary>
    /// A contact is sealed padded with JSON's white space to a multiple of this many bytes: its sealed length (which AES-GCM keeps)
    /// tells a reader of the database without the key nothing of which fields the tipster gave nor how long they are, but
    /// for a contact past it (a name of a few hundred letters escaped in JSON).
    /// </summary>
    public const int PaddedTo = 512;

    public TipContact Seal(Guid tipId, ContactDetails contact)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(contact);
        var padded = new byte[(json.Length + PaddedTo - 1) / PaddedTo * PaddedTo];
        json.CopyTo(padded, 0);
        padded.AsSpan(json.Length).Fill((byte)' ');
        var sealedContact = key.Seal(padded, tipId.ToByteArray());
        return new TipContact(tipId, sealedContact.Nonce, sealedContact.Ciphertext, sealedContact.Tag);
    }

    /// <summary>
    /// The contact <paramref name="sealedContact"/> holds, opened bound to the tip it was loaded for; null when there is none, or
    /// when it does not open with this key or is no contact (changed in the database, moved from another tip: its row does not
    /// read, or names another tip), a warning for the operators naming the tip and what failed, never a byte of the record.
    /// </summary>
    public ContactDetails? TryOpen(SealedDocument<TipContact> sealedContact)
    {
        var (plaintext, failure) = sealedContact.Open(key, contact => new SealedData(contact.Nonce, contact.Ciphertext, contact.Tag));
        ContactDetails? opened = null;
        try
        {
            opened = plaintext is null ? null : JsonSerializer.Deserialize<ContactDetails>(plaintext);
        }
        catch (JsonException unreadable)
        {
            failure = unreadable.GetType().Name;
        }

        if (failure is not null)
        {
            DoesNotOpen(sealedContact.RecordId, failure);
        }

        return opened;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sealed contact of tip {TipId} does not open ({Failure}): sealed with another Tips:ContactKey, moved from another tip or changed in the database; it is read by nobody")]
    private partial void DoesNotOpen(Guid tipId, string failure);

    /// <summary>Registers the service's sealing key and the vault; the host refuses to start without a valid key.</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddSettings<TipContactOptions>(TipContactOptions.Section)
            .Validate(tips => tips.ContactKey is null || TipContactOptions.IsValidKey(tips.ContactKey), "Tips:ContactKey must be base64 of exactly 32 bytes (an AES-256 key).");
        services.AddSingleton(provider => new SealingKey(Convert.FromBase64String(provider.GetRequiredService<IOptions<TipContactOptions>>().Value.ContactKey!)));
        services.AddSingleton<ContactVault>();
    }
}
