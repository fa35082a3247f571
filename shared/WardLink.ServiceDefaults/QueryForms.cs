using System.Collections.Concurrent;
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
/// binder also reads <c>{…}</c>, <c>(…)</c> and 32 digits without hyphens;</item>
/// <item>whole numbers as the documents' pattern writes them, <c>^-?(?:0|[1-9]\d*)$</c>: no leading zeros
/// (<c>?year=0000002026</c>), no sign <c>+</c>, no spaces.</item>
/// </list>
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

    private const string WholeNumberForm = "A whole number written in digits, without leading zeros, sign + or spaces.";

    private static readonly ConcurrentDictionary<MethodInfo, (string Name, Form Form)[]> Parameters = new();

    public static IApplicationBuilder UseWardLinkQueryForms(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var errors = new FieldErrors();
        foreach (var (name, form) in ParametersOf(context.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>()))
        {
            if (!context.Request.Query.TryGetValue(name, out var values) || values is [""])
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
                    errors.Check(IsId(text), name, IdForm);
                    break;
                case Form.WholeNumber when values.Count == 1:
                    errors.Check(WholeNumber().IsMatch(text), name, WholeNumberForm);
                    break;
            }
        }

        if (context.GetEndpoint() is RouteEndpoint { RoutePattern: var pattern })
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

    /// <summary>Whether <paramref name="text"/> is an id as the documents write one (<c>D</c>: 8-4-4-4-12 with hyphens, no braces).</summary>
    public static bool IsId(string text) => Guid.TryParseExact(text, "D", out _);

    private static (string Name, Form Form)[] ParametersOf(MethodInfo? handler) =>
        handler is null ? [] : Parameters.GetOrAdd(handler, method => [.. method.GetParameters()
            .Where(parameter => parameter.GetCustomAttribute<FromRouteAttribute>() is null && parameter.GetCustomAttribute<FromHeaderAttribute>() is null)
            .Select(parameter => (
                Name: parameter.GetCustomAttribute<FromQueryAttribute>()?.Name ?? parameter.Name!,
                Type: Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType))
            .Select(parameter => (parameter.Name, Form: FormOf(parameter.Type)))
            .Where(parameter => parameter.Form is not null)
            .Select(parameter => (parameter.Name, parameter.Form!.Value))]);

    private static Form? FormOf(Type type) =>
        type == typeof(DateTimeOffset) ? Form.Time
        : type == typeof(DateOnly) ? Form.Date
        : type == typeof(Guid) ? Form.Id
        : type == typeof(int) || type == typeof(long) ? Form.WholeNumber
        : null;

    [GeneratedRegex(@"\A-?(?:0|[1-9][0-9]*)\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex WholeNumber();
}
