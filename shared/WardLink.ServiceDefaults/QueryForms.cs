using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using WardLink.Domain;

namespace WardLink.ServiceDefaults;

/// <summary>
/// What a query value or a path id is written as, checked once here for every endpoint before ASP.NET Core's binder reads it
/// (which takes more than the API documents state):
/// <list type="bullet">
/// <item>times (<c>?from=</c>, <c>?at=</c>, <c>?asOf=</c>) as in a body: ISO-8601 with an offset (the binder would read
/// <c>2024-05-02T21:40:00</c> in the server's own zone) and inside <see cref="WardTime"/>'s window; a value in that form that is
/// no time (the 30th of February) is left to the binder, which refuses it; one given twice is refused here;</item>
/// <item>local dates (<c>?from=2024-06-01</c>) written <c>yyyy-MM-dd</c>, as in a body (the binder would read <c>06/01/2024</c>
/// month first), once;</item>
/// <item>ids, in the query and the path, as the 36 characters the documents state (<c>8-4-4-4-12</c> hexadecimal digits): the
/// binder also reads <c>{…}</c>, <c>(…)</c> and 32 digits without hyphens; a query's never the empty GUID, which names nothing
/// (a path's: <see cref="RequestChecks"/>);</item>
/// <item>whole numbers as the documents' pattern writes them, <c>^-?(?:0|[1-9][0-9]*)$</c>: no leading zeros
/// (<c>?year=0000002026</c>), no sign <c>+</c>, no spaces; once, and within the parameter's type (the binder's refusal of
/// <c>?after=1&amp;after=2</c> or of a number past 64 bits named .NET's types and their whole range, from -9223372036854775808
/// for an <c>after</c> documented from 0): refused naming the range the parameter's <see cref="RangeAttribute"/> documents.</item>
/// </list>
/// A value given empty (<c>?year=</c>) is judged as any other written otherwise: the binder's refusal of it named a whole number's
/// type's range, not the parameter's.
/// </summary>
public static partial class QueryForms
{
    private enum Form
    {
        Time,
        Date,
        Id,
        WholeNumber,
    }

    /// <summary>How an id is written, as the documents state it.</summary>
    public const string IdForm = "An id: 36 characters, hexadecimal digits in groups of 8-4-4-4-12 joined by hyphens.";

    private static readonly ConcurrentDictionary<MethodInfo, (string Name, Form Form, WholeNumbers? Takes)[]> Parameters = new();

    public static IApplicationBuilder UseWardLinkQueryForms(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var errors = new FieldErrors();
        foreach (var (name, form, takes) in ParametersOf(context.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>()))
        {
            if (!context.Request.Query.TryGetValue(name, out var values))
            {
                continue;
            }

            // A time or a date given twice is refused: never its first value read alone, nor both joined as the binder would join them.
            var text = values.Count == 1 ? values[0]! : string.Empty;
            switch (form)
            {
                case Form.Date:
                    errors.Check(WardTime.IsLocalDate(text), name, WardTime.LocalDateForm);
                    break;
                case Form.Time when !WardTime.HasOffset(text):
                    errors.Check(false, name, WardTime.WithOffset);
                    break;
                case Form.Time when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at):
                    errors.CheckQueryTime(at, name);
                    break;
                case Form.Id when values.Count == 1:
                    errors.Check(IsId(text), name, IdForm).Check(text != Guid.Empty.ToString(), name, RequestChecks.EmptyId);
                    break;
                case Form.WholeNumber:
                    errors.Check(WholeNumber().IsWholly(text) && long.TryParse(text, CultureInfo.InvariantCulture, out var number) && takes!.Fits(number), name, takes!.Described);
                    break;
            }
        }

        // ward= where a handler of this process takes it (every one acting in a ward): judged with the query's other forms, so a
        // 400 names every malformed one (whose ward it is comes after, UseWardLinkWards); a proxied request's is its service's.
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<MethodInfo>() is not null && !WardFree.PassesOver(endpoint, WardFree.WardParameter)
            && context.Request.Query.TryGetValue(WardFree.WardParameter, out var wards))
        {
            errors.CheckWard(wards);
        }

        if (endpoint is RouteEndpoint { RoutePattern: var pattern })
        {
            foreach (var parameter in pattern.Parameters.Where(parameter => parameter.ParameterPolicies.Any(policy => policy.Content == "guid")))
            {
                errors.Check(context.Request.RouteValues[parameter.Name] is not string id || IsId(id), parameter.Name, IdForm);
            }
        }

        if (errors.Any)
        {
            await errors.ToRejection().ToProblem().ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    /// <summary>A <c>ward=</c> given once, as a ward's id is written (<see cref="WardNames.IdForm"/>), else an error naming it.</summary>
    public static FieldErrors CheckWard(this FieldErrors errors, Microsoft.Extensions.Primitives.StringValues values) =>
        errors.Check(values.Count == 1 && WardNames.IsId(values[0]), WardFree.WardParameter, WardNames.IdForm);

    /// <summary>
    /// Whether <paramref name="text"/> is an id as the documents write one (<c>D</c>: 8-4-4-4-12 hexadecimal digits with hyphens),
    /// its 36 characters alone: .NET's reader also takes braces, white space around them and a sign <c>+</c> opening any group
    /// (<c>+1a24f9b-…</c> read as <c>01a24f9b-…</c>, the empty GUID written <c>+0000000-…</c> past a check of its text).
    /// </summary>
    public static bool IsId(string text) => text.Length == 36 && IdDigits().IsWholly(text);

    private static (string Name, Form Form, WholeNumbers? Takes)[] ParametersOf(MethodInfo? handler) =>
        handler is null ? [] : Parameters.GetOrAdd(handler, method => [.. method.GetParameters()
            .Where(parameter => parameter.GetCustomAttribute<FromRouteAttribute>() is null && parameter.GetCustomAttribute<FromHeaderAttribute>() is null)
            .Select(parameter => (
                Name: parameter.GetCustomAttribute<FromQueryAttribute>()?.Name ?? parameter.Name!,
                Type: Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType,
                Range: parameter.GetCustomAttribute<RangeAttribute>()))
            .Select(parameter => (parameter.Name, Form: FormOf(parameter.Type), Takes: WholeNumbers.Of(parameter.Type, parameter.Range)))
            .Where(parameter => parameter.Form is not null)
            .Select(parameter => (parameter.Name, parameter.Form!.Value, parameter.Takes))]);

    /// <summary>
    /// The whole numbers a parameter's type holds (<paramref name="Minimum"/> to <paramref name="Maximum"/>), and what the
    /// parameter takes as its problem says it: the range its <see cref="RangeAttribute"/> documents (the endpoint refuses a number
    /// outside it in its own words), else its type's.
    /// </summary>
    private sealed record WholeNumbers(long Minimum, long Maximum, string Described)
    {
        public bool Fits(long number) => number >= Minimum && number <= Maximum;

        public static WholeNumbers? Of(Type type, RangeAttribute? range)
        {
            (long Minimum, long Maximum)? held = type == typeof(int) ? (int.MinValue, int.MaxValue) : type == typeof(long) ? (long.MinValue, long.MaxValue) : null;
            if (held is not var (minimum, maximum))
            {
                return null;
            }

            var (from, to) = range is null ? (minimum, maximum) : (Within(range.Minimum), Within(range.Maximum));
            return new(minimum, maximum, string.Create(CultureInfo.InvariantCulture, $"A whole number from {from} to {to}, written in digits, without leading zeros, sign + or spaces."));

            // A bound as the attribute holds it (a long's largest, as a double, is past the long's range) within the type's.
            long Within(object bound) => Convert.ToDouble(bound, CultureInfo.InvariantCulture) switch
            {
                var value when value >= maximum => maximum,
                var value when value <= minimum => minimum,
                var value => (long)value,
            };
        }
    }

    private static Form? FormOf(Type type) =>
        type == typeof(DateTimeOffset) ? Form.Time
        : type == typeof(DateOnly) ? Form.Date
        : type == typeof(Guid) ? Form.Id
        : type == typeof(int) || type == typeof(long) ? Form.WholeNumber
        : null;

    /// <summary>A whole number in a query or a path as the documents state it: digits alone, no leading zero, no sign +.</summary>
    public const string WholeNumberPattern = "^-?(?:0|[1-9][0-9]*)$";

    [GeneratedRegex(WholeNumberPattern, RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex WholeNumber();

    [GeneratedRegex("^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex IdDigits();
}
