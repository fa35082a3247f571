using System.Text.RegularExpressions;

namespace WardLink.Domain;

/// <summary>
/// The formats of a phone number and an email address, wherever a request gives one (a tipster's
/// contact, a partner's contact person): the patterns the checks use are the ones the OpenAPI
/// document states (<c>[RegularExpression]</c> on the request's properties).
/// </summary>
public static partial class ContactFormats
{
    /// <summary>6 to 20 digits, optionally after <c>+</c>, with spaces, dots, dashes or parentheses between them (read trimmed).</summary>
    public const string PhonePattern = "^" + Patterns.AnyWhiteSpace + @"\+?(?:[ ().\-]*[0-9]){6,20}[ ().\-]*" + Patterns.AnyWhiteSpace + "$";

    public const int MaxPhoneLength = 40;

    /// <summary>Something before an <c>@</c>, a domain with a dot after it, no spaces (read trimmed).</summary>
    public const string EmailPattern =
        "^" + Patterns.AnyWhiteSpace + "[^@" + Patterns.WhiteSpace + "]+@[^@" + Patterns.WhiteSpace + @"]+\.[^@." + Patterns.WhiteSpace + "]+" + Patterns.AnyWhiteSpace + "$";

    /// <summary>The longest address SMTP carries (RFC 5321).</summary>
    public const int MaxEmailLength = 254;

    public const string PhoneRule = "A phone number: 6 to 20 digits, optionally after +, with spaces, dots, dashes or parentheses.";

    public const string EmailRule = "An email address (name@example.org).";

    /// <summary>Whether <paramref name="text"/>, as sent, is within the length the document states and a phone number (white space around it too).</summary>
    public static bool IsPhone(string? text) => text is not null && Characters.AtMost(text, MaxPhoneLength) && Phone().IsWholly(text);

    /// <summary>Whether <paramref name="text"/>, as sent, is within the length the document states and an email address (white space around it too).</summary>
    public static bool IsEmail(string? text) => text is not null && Characters.AtMost(text, MaxEmailLength) && Email().IsWholly(text);

    [GeneratedRegex(PhonePattern, RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Phone();

    [GeneratedRegex(EmailPattern, RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Email();
}
