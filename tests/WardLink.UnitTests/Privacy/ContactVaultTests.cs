using System.Security.Cryptography;
using System.Text.Json;
using CsCheck;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.Testing;
using WardLink.Tips;

namespace WardLink.UnitTests.Privacy;

/// <summary>What a reader of the tips database without the key learns of a sealed contact: nothing but that there is one.</summary>
public sealed class ContactVaultTests
{
    private static readonly ContactVault Vault = new(new SealingKey(RandomNumberGenerator.GetBytes(32)), NullLogger<ContactVault>.Instance);

    /// <summary>Texts of up to 25 characters, each of which JSON may write as a 6-byte escape: three of them fit the padding.</summary>
    private static readonly Gen<string?> Texts = Gen.String[Gen.Char["abcXYZ019 +@.-àáạảãđêếệươỳ<>&'\"\\"], 0, 25].Null();

    /// <summary>
    /// Any contact (a name, a phone, an email, any of them left out, each as long as a tipster's usually are) seals to
    /// the same length, so which fields a tipster gave and how long they are is not in the database; each opens back as sealed.
    /// </summary>
    [Fact]
    public void Any_contact_seals_to_the_same_length_and_opens_back_as_sealed() =>
        Gen.Select(Texts, Texts, Texts).Sample((name, phone, email) =>
        {
            var contact = new ContactDetails(name, phone, email);

            var sealedContact = Vault.Seal(Guid.CreateVersion7(), contact);

            Assert.Equal(ContactVault.PaddedTo, sealedContact.Ciphertext.Length);
            Assert.Equal(contact, Vault.TryOpen(Loaded(sealedContact)));
        });

    /// <summary>
    /// A contact is sealed to the fewest whole blocks of the padding its JSON fits, up to its last byte: one of exactly 512 bytes
    /// stays at 512 (docs/tips.md: "within 512 bytes as JSON"); it was sealed to 1,024, a block more than its size needs.
    /// </summary>
    [Fact]
    public void A_contact_seals_to_the_fewest_whole_blocks_its_JSON_fits() =>
        Gen.Select(Gen.Int[0, ContactDetails.MaxNameLength], Gen.Char["aệ\""], Texts).Sample((length, letter, phone) =>
        {
            var contact = new ContactDetails(new string(letter, length), phone, null);
            var json = JsonSerializer.SerializeToUtf8Bytes(contact).Length;

            var sealedContact = Vault.Seal(Guid.CreateVersion7(), contact);

            Assert.Equal((json + ContactVault.PaddedTo - 1) / ContactVault.PaddedTo * ContactVault.PaddedTo, sealedContact.Ciphertext.Length);
            Assert.Equal(contact, Vault.TryOpen(Loaded(sealedContact)));
        });

    /// <summary>
    /// A sealed contact moved to another tip (copied whole into its row, or its id changed too), with any byte of its nonce, ciphertext or tag changed, or sealed with another key
    /// does not open: none (the read is then refused and recorded nowhere), never an exception nor another contact.
    /// </summary>
    [Fact]
    public void A_contact_moved_changed_or_sealed_with_another_key_does_not_open() =>
        Gen.Select(Texts, Gen.Int[0, 2], Gen.Int[0, 10_000], Gen.Byte[1, 255]).Sample((phone, part, at, flip) =>
        {
            var sealedContact = Vault.Seal(Guid.CreateVersion7(), new ContactDetails("Lê Thị Contact", phone, null));
            byte[] Flipped(byte[] bytes) => [.. bytes.Select((b, i) => i == at % bytes.Length ? (byte)(b ^ flip) : b)];
            var changed = part switch
            {
                0 => sealedContact with { Nonce = Flipped(sealedContact.Nonce) },
                1 => sealedContact with { Ciphertext = Flipped(sealedContact.Ciphertext) },
                _ => sealedContact with { Tag = Flipped(sealedContact.Tag) },
            };

            Assert.Null(Vault.TryOpen(Loaded(changed)));
            var otherTip = Guid.CreateVersion7();
            Assert.Null(Vault.TryOpen(new SealedDocument<TipContact>(otherTip, sealedContact, null)));
            Assert.Null(Vault.TryOpen(Loaded(sealedContact with { Id = otherTip })));
            Assert.Null(new ContactVault(new SealingKey(RandomNumberGenerator.GetBytes(32)), NullLogger<ContactVault>.Instance).TryOpen(Loaded(sealedContact)));
        });

    /// <summary>
    /// A contact that does not open tells the operators which tip's record failed, as a warning: one line naming the tip and
    /// the failure, nothing of the contact nor of its sealed bytes (the 409 alone told nobody but the officer who read).
    /// </summary>
    [Fact]
    public void A_contact_that_does_not_open_is_one_warning_naming_its_tip_and_nothing_of_the_contact()
    {
        using var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var vault = new ContactVault(new SealingKey(RandomNumberGenerator.GetBytes(32)), factory.CreateLogger<ContactVault>());
        var tipId = Guid.CreateVersion7();
        var sealedContact = Vault.Seal(tipId, new ContactDetails("Lê Thị Unopened", "+84 912 000 731", "unopened@example.vn"));

        Assert.Null(vault.TryOpen(Loaded(sealedContact)));

        var line = Assert.Single(logs.Lines);
        Assert.StartsWith($"Warning {typeof(ContactVault).FullName}: The sealed contact of tip {tipId} does not open (", line, StringComparison.Ordinal);
        Assert.All(
            ["Unopened", "912 000 731", "unopened@", Convert.ToBase64String(sealedContact.Ciphertext[..12]), Convert.ToHexString(sealedContact.Ciphertext[..12])],
            text => Assert.DoesNotContain(text, line, StringComparison.OrdinalIgnoreCase));
        Assert.NotNull(vault.TryOpen(Loaded(vault.Seal(tipId, new ContactDetails("Lê Thị Unopened", null, null)))));
        Assert.Single(logs.Lines);
    }

    /// <summary>A contact as loaded for the tip it names.</summary>
    private static SealedDocument<TipContact> Loaded(TipContact contact) => new(contact.Id, contact, null);

    [Fact]
    public void A_contact_of_exactly_one_block_of_JSON_stays_one_block()
    {
        var empty = JsonSerializer.SerializeToUtf8Bytes(new ContactDetails(string.Empty, null, null)).Length;
        var contact = new ContactDetails(new string('a', ContactVault.PaddedTo - empty), null, null);
        Assert.Equal(ContactVault.PaddedTo, JsonSerializer.SerializeToUtf8Bytes(contact).Length);

        Assert.Equal(ContactVault.PaddedTo, Vault.Seal(Guid.CreateVersion7(), contact).Ciphertext.Length);
    }

    /// <summary>A contact at every field's longest (a name of letters JSON escapes) is sealed to a multiple of the padding, and opens back.</summary>
    [Fact]
    public void The_longest_contact_seals_to_a_multiple_of_the_padding_and_opens_back()
    {
        var contact = new ContactDetails(new string('ệ', ContactDetails.MaxNameLength), new string('9', ContactFormats.MaxPhoneLength), new string('a', ContactFormats.MaxEmailLength));

        var sealedContact = Vault.Seal(Guid.CreateVersion7(), contact);

        Assert.Equal(0, sealedContact.Ciphertext.Length % ContactVault.PaddedTo);
        Assert.Equal(contact, Vault.TryOpen(Loaded(sealedContact)));
    }
}
