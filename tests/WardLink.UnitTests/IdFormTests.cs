using CsCheck;
using WardLink.ServiceDefaults;

namespace WardLink.UnitTests;

/// <summary>
/// An id in a path or a query is its 36 characters as the documents write them (8-4-4-4-12 hexadecimal digits with hyphens):
/// .NET's own reader takes more (braces, white space, a sign opening any group), each a second spelling of one id.
/// </summary>
public sealed class IdFormTests
{
    private static readonly char[] Strays = ['+', '-', ' ', '{', '}', 'g', 'G', 'x', '\u0660', '\uff10', '0', 'a', 'F'];

    [Fact]
    public void Every_id_written_in_either_letter_case_is_taken() =>
        Gen.Guid.Select(Gen.Bool).Sample((id, upper) => QueryForms.IsId(upper ? id.ToString().ToUpperInvariant() : id.ToString()));

    /// <summary>
    /// Any id with one of its characters changed (a sign, a hyphen, a letter past F, a digit of another script) is taken exactly
    /// when it is still 8-4-4-4-12 hexadecimal digits, whatever .NET's reader would make of it.
    /// </summary>
    [Fact]
    public void An_id_with_one_character_changed_is_taken_only_while_every_group_is_hexadecimal_digits() =>
        Gen.Guid.Select(Gen.Int[0, 35], Gen.Int[0, Strays.Length - 1].Select(pick => Strays[pick])).Sample((id, at, stray) =>
        {
            var text = string.Concat(id.ToString()[..at], stray, id.ToString()[(at + 1)..]);
            var written = text.Select((character, index) => index is 8 or 13 or 18 or 23 ? character == '-' : char.IsAsciiHexDigit(character)).All(ok => ok);
            return QueryForms.IsId(text) == written;
        });

    [Fact]
    public void A_sign_opening_a_group_is_refused_though_dotnet_reads_it_as_a_zero()
    {
        const string Signed = "+1a24f9b-7b2e-7e63-9c6d-3b34a30dc210";
        Assert.True(Guid.TryParseExact(Signed, "D", out var read));
        Assert.Equal(Guid.Parse("01a24f9b-7b2e-7e63-9c6d-3b34a30dc210"), read);
        Assert.False(QueryForms.IsId(Signed));
        Assert.False(QueryForms.IsId("+0000000-0000-0000-0000-000000000000"));
    }
}
