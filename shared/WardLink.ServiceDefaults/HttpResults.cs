using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using WardLink.Domain;
using WardLink.ServiceDefaults.Security;

namespace WardLink.ServiceDefaults;

/// <summary>HTTP conventions shared by every endpoint: problem results and stream-version ETags.</summary>
public static class HttpResults
{
    public static IResult ToProblem(this Rejection rejection) => rejection.Kind switch
    {
        RejectionKind.Invalid => Results.ValidationProblem(rejection.Errors ?? new Dictionary<string, string[]>(), title: rejection.Title),
        RejectionKind.NotFound => Results.Problem(title: rejection.Title, statusCode: StatusCodes.Status404NotFound),
        RejectionKind.KeyReused => Results.Problem(
            title: rejection.Title,
            detail: "A key stands for one request: the same method, path and body. Use a new key for a new request.",
            statusCode: StatusCodes.Status422UnprocessableEntity),
        _ => Results.Problem(title: rejection.Title, statusCode: StatusCodes.Status409Conflict),
    };

    /// <summary>The stream version as a strong entity tag.</summary>
    public static string ETagOf(long streamVersion) => $"\"{streamVersion.ToString(CultureInfo.InvariantCulture)}\"";

    public static void SetETag(this HttpResponse response, long streamVersion) =>
        response.Headers.ETag = ETagOf(streamVersion);

    /// <summary>
    /// The <c>ETag</c> an operation answers with (<see cref="WithETag"/>): the record's version on a success, its current one on a
    /// <c>412</c> (a stale <c>If-Match</c>).
    /// </summary>
    public static readonly AnsweredHeader ETag = new(
        HeaderNames.ETag,
        status => AnsweredHeader.Success(status) || status == StatusCodes.Status412PreconditionFailed,
        Required: true,
        _ => "The record's version (its stream version, quoted: \"3\"): as this answer leaves it, or with a 412 as it is now. Send it as If-Match with a step on the record.",
        () => new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 21, Pattern = "^\"[1-9][0-9]{0,18}\"$" });

    /// <summary>
    /// Declares that the operation answers with the record's version as <see cref="ETag"/>; <paramref name="toPoliceOnly"/>: only
    /// the police's answers carry it (<see cref="SetCreatedETag"/>), so the document says it may be missing.
    /// </summary>
    public static RouteHandlerBuilder WithETag(this RouteHandlerBuilder endpoint, bool toPoliceOnly = false) =>
        endpoint.WithAnsweredHeader(toPoliceOnly
            ? ETag with
            {
                Required = false,
                Describe = services => $"{ETag.Describe(services)} The police's answers only: a partner takes no step on the record, and reads it without a version.",
            }
            : ETag);

    /// <summary>
    /// The ETag of a record just created (its first version) for the police, who take its next steps; a partner takes
    /// none on a tip or an incident, and gets no ETag from its answer, as it gets none reading the record.
    /// </summary>
    public static void SetCreatedETag(this HttpContext http)
    {
        if (http.Audience() == Security.Audience.Police)
        {
            http.Response.SetETag(1);
        }
    }

    /// <summary>
    /// The optional <c>If-Match</c> header, as every step on a record declares it (<see cref="IfMatchAllows"/> reads it):
    /// <c>*</c>, or a list of entity tags, each quoted, a weak one with <c>W/</c> before it (which never matches).
    /// </summary>
    public static readonly DocumentedHeader IfMatch = new(
        HeaderNames.IfMatch,
        Required: false,
        MinLength: 1,
        MaxLength: 200,
        Pattern: "^(\\*|(W/)?\"[\\x21\\x23-\\x7E]*\"( *, *(W/)?\"[\\x21\\x23-\\x7E]*\")*)$",
        _ => "The record's ETag as you last read it (e.g. \"3\"), or * for any version. A stale one is a 412 with the current ETag, " +
            "and changes nothing; an empty one names no version and is a 412 too. Left out, the step applies to the version it finds.");

    /// <summary>
    /// Whether the request's <c>If-Match</c> allows a write to a stream at <paramref name="streamVersion"/>:
    /// no header, <c>*</c>, or the stream's strong ETag among the listed ones. A header sent empty names no version,
    /// so it matches none (RFC 9110 §13.1.1), as a client that lost its ETag must not write blind.
    /// </summary>
    public static bool IfMatchAllows(this HttpRequest request, long streamVersion) =>
        request.Headers.IfMatch.Count == 0 || request.Headers.IfMatch
            .SelectMany(value => (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Any(tag => tag == "*" || tag == ETagOf(streamVersion));
}
