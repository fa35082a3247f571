using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using WardLink.Domain;

namespace WardLink.ServiceDefaults;

/// <summary>
/// Times in the query string (<c>?from=</c>, <c>?at=</c>, <c>?asOf=</c>) follow the same rules as
/// times in a body, checked once here for every endpoint: ISO-8601 with an offset
/// (ASP.NET Core's binder would read <c>2024-05-02T21:40:00</c> in the server's own zone) and
/// inside <see cref="WardTime"/>'s window. A value in that form that is no time (the 30th of
/// February) is left to the binder, which refuses it; one given twice is refused here. Local
/// dates (<c>?from=2024-06-01</c>) are written <c>yyyy-MM-dd</c>, as in a body (the binder would
/// read <c>06/01/2024</c> month first).
/// </summary>
public static class QueryTimes
{
    private static readonly ConcurrentDictionary<MethodInfo, (string Name, bool IsDate)[]> Parameters = new();

    public static IApplicationBuilder UseWardLinkQueryTimes(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var errors = new FieldErrors();
        foreach (var (name, isDate) in ParametersOf(context.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>()))
        {
            if (!context.Request.Query.TryGetValue(name, out var values) || values is [""])
            {
                continue;
            }

            // Given twice, it is refused: never its first value read alone, nor both joined as the binder would join them.
            var text = values.Count == 1 ? values[0]! : string.Empty;
            if (isDate)
            {
                errors.Check(WardTime.IsLocalDate(text), name, WardTime.LocalDateForm);
            }
            else if (!WardTime.HasOffset(text))
            {
                errors.Check(false, name, WardTime.WithOffset);
            }
            else if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
            {
                errors.CheckQueryTime(at, name);
            }
        }

        if (errors.Any)
        {
            await errors.ToRejection().ToProblem().ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    private static (string Name, bool IsDate)[] ParametersOf(MethodInfo? handler) =>
        handler is null ? [] : Parameters.GetOrAdd(handler, method => [.. method.GetParameters()
            .Where(parameter => parameter.GetCustomAttribute<FromRouteAttribute>() is null && parameter.GetCustomAttribute<FromHeaderAttribute>() is null)
            .Select(parameter => (
                Name: parameter.GetCustomAttribute<FromQueryAttribute>()?.Name ?? parameter.Name!,
                Type: Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType))
            .Where(parameter => parameter.Type == typeof(DateTimeOffset) || parameter.Type == typeof(DateOnly))
            .Select(parameter => (parameter.Name, parameter.Type == typeof(DateOnly)))]);
}
