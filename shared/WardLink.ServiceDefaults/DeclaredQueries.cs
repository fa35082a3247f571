using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using WardLink.Domain;

namespace WardLink.ServiceDefaults;

/// <summary>
/// A query parameter is one the operation's document declares, as it names it, once, or the request is a 400 naming it: ASP.NET Core
/// reads a query's names in any letter case (<c>?Ward=</c> for <c>ward</c>) and passes over the ones no handler reads, so a
/// misspelt <c>?form=</c> or <c>?limt=</c> answered for another window or page, unseen, where a partner's tools, reading the
/// document, see no such parameter. The names come from the service's own document (what <c>/openapi/v1.json</c> serves: the
/// handlers' parameters and those a transformer adds, <c>ward</c>), or the gateway's of its own operations, read once; a
/// request without a query costs nothing. After
/// authorization, as the query's other checks (<see cref="QueryForms"/>); an endpoint the document does not describe (the
/// document itself) is not checked, and one that acts in no ward passes over a stray <c>ward=</c> (<see cref="WardFree"/>).
/// </summary>
public static class DeclaredQueries
{
    public const string Undeclared = "The operation does not declare this query parameter: its document names those it takes, in their letter case.";

    /// <summary>Why a parameter given twice is refused: no parameter of the documents is a list, and one reader takes the first value, another the last, ASP.NET Core both joined.</summary>
    public const string GivenTwice = "The query parameter is given more than once: give it once.";

    /// <summary>Checks each request's query against the service's own document (the one <c>/openapi/v1.json</c> serves).</summary>
    public static IApplicationBuilder UseWardLinkDeclaredQueries(this IApplicationBuilder app) =>
        app.UseWardLinkDeclaredQueries(app.ApplicationServices.GetRequiredKeyedService<IOpenApiDocumentProvider>(ApiDescription.DocumentName).GetOpenApiDocumentAsync);

    /// <summary>Checks each request's query against <paramref name="document"/> (the gateway's document of its own operations).</summary>
    public static IApplicationBuilder UseWardLinkDeclaredQueries(this IApplicationBuilder app, Func<CancellationToken, Task<OpenApiDocument>> document)
    {
        var declared = new Declared(document);
        return app.Use(async (context, next) =>
        {
            if (context.Request.QueryString.HasValue && context.GetEndpoint() is { } endpoint && await declared.OfAsync(context.Request.Method, context.Request.Path) is { } names)
            {
                var errors = new FieldErrors();
                var given = new HashSet<string>(StringComparer.Ordinal);

                // The names as sent, each pair apart: ASP.NET Core's query collection holds names differing only in letter case
                // as one (?Types=a&types=b read as types, a and b).
                foreach (var pair in new QueryStringEnumerable(context.Request.QueryString.Value))
                {
                    // A stray ward= on what acts in no ward is passed over, however often it is given (docs/wards.md: never a 400).
                    var name = pair.DecodeName().ToString();
                    if (WardFree.PassesOver(endpoint, name))
                    {
                        continue;
                    }

                    var declaredHere = names.Contains(name);
                    errors.Check(declaredHere, name, Undeclared).Check(!declaredHere || given.Add(name), name, GivenTwice);
                }

                if (errors.Any)
                {
                    await errors.ToRejection().ToProblem().ExecuteAsync(context);
                    return;
                }
            }

            await next(context);
        });
    }

    /// <summary>The query parameters each operation of the document declares, by method, with its path template's segments.</summary>
    private sealed class Declared(Func<CancellationToken, Task<OpenApiDocument>> document)
    {
        private readonly Lazy<Task<FrozenDictionary<string, (string[] Template, FrozenSet<string> Names)[]>>> _operations = new(async () =>
            (await document(CancellationToken.None)).Paths
                .SelectMany(path => (path.Value.Operations ?? []).Select(operation => (
                    Method: operation.Key.Method,
                    Template: ApiPaths.Segments(path.Key),
                    Names: (operation.Value.Parameters ?? []).Where(parameter => parameter.In == ParameterLocation.Query).Select(parameter => parameter.Name!).ToFrozenSet(StringComparer.Ordinal))))
                .GroupBy(operation => operation.Method, StringComparer.OrdinalIgnoreCase)
                .ToFrozenDictionary(method => method.Key, method => method.Select(operation => (operation.Template, operation.Names)).ToArray(), StringComparer.OrdinalIgnoreCase));

        /// <summary>
        /// The names the operation <paramref name="method"/> <paramref name="path"/> is routed to declares (the template with the
        /// most literal segments matching the path, as routing prefers); null when the document describes no such operation.
        /// </summary>
        public async Task<FrozenSet<string>?> OfAsync(string method, PathString path)
        {
            var segments = ApiPaths.Segments(path.Value ?? string.Empty);
            return (await _operations.Value).GetValueOrDefault(method) is { } operations
                ? operations.Select(operation => (operation.Names, Literals: ApiPaths.LiteralsMatching(operation.Template, segments)))
                    .Where(operation => operation.Literals >= 0)
                    .OrderByDescending(operation => operation.Literals)
                    .Select(operation => operation.Names)
                    .FirstOrDefault()
                : null;
        }
    }
}
