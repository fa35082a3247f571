using System.Security.Cryptography;
using CsCheck;
using WardLink.Domain;
using WardLink.Tips;

namespace WardLink.UnitTests.Privacy;

/// <summary>What a reader of the tips database without the key learns of a sealed contact: nothing but that there is one.</summary>
public sealed class ContactVaultTests
{
    private static readonly ContactVault Vault = new(new SealingKey(RandomNumberGenerator.GetBytes(32)));

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
            Assert.Equal(contact, Vault.Open(sealedContact));
        });

    /// <summary>A contact at every field's longest (a name of letters JSON escapes) is sealed to a multiple of the padding, and opens back.</summary>
    [Fact]
    public void The_longest_contact_seals_to_a_multiple_of_the_padding_and_opens_back()
    {
        var contact = new ContactDetails(new string('ệ', ContactDetails.MaxNameLength), new string('9', ContactFormats.MaxPhoneLength), new string('a', ContactFormats.MaxEmailLength));

        var sealedContact = Vault.Seal(Guid.CreateVersion7(), contact);

        Assert.Equal(0, sealedContact.Ciphertext.Length % ContactVault.PaddedTo);
        Assert.Equal(contact, Vault.Open(sealedContact));
    }
}
