using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using WardLink.Domain;
using WardLink.ServiceDefaults.Security;

namespace WardLink.ServiceDefaults;

/// <summary>HTTP conventions shared by every endpoint: problem results and stream-version ETags.</summary>
public static partial class HttpResults
{
    public static IResult ToProblem(this Rejection rejection) => rejection.Kind switch
    {
        RejectionKind.Invalid => Results.ValidationProblem(rejection.Errors ?? new Dictionary<string, string[]>(), title: rejection.Title),
        RejectionKind.NotFound or RejectionKind.PartNotFound => Results.Problem(title: rejection.Title, statusCode: StatusCodes.Status404NotFound),
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
    /// <c>304</c> (a read's <c>If-None-Match</c> naming it) and a <c>412</c> (a stale <c>If-Match</c>).
    /// </summary>
    public static readonly AnsweredHeader ETag = new(
        HeaderNames.ETag,
        status => AnsweredHeader.Success(status) || status is StatusCodes.Status304NotModified or StatusCodes.Status412PreconditionFailed,
        Required: true,
        _ => "The record's version (its stream version, quoted: \"3\"): as this answer leaves it, or with a 304 or a 412 as it is now. " +
            "Send it as If-Match with a step on the record, or as If-None-Match with a read to be answered 304 until it changes.",
        () => new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 21, Pattern = "^\"[1-9][0-9]{0,18}\"$" });

    /// <summary>
    /// Declares that the operation answers with the record's version as <see cref="ETag"/>; <paramref name="toPoliceOnly"/>: only
    /// the police's answers carry it (<see cref="SetCreatedETag"/>), so the document says it may be missing. A read (<c>GET</c>)
    /// so declared is conditional (<see cref="ConditionalReadAsync"/>): it reads and declares <c>If-Match</c> and
    /// <c>If-None-Match</c>, and may answer <c>304</c> and <c>412</c>.
    /// </summary>
    public static RouteHandlerBuilder WithETag(this RouteHandlerBuilder endpoint, bool toPoliceOnly = false)
    {
        endpoint.WithAnsweredHeader(toPoliceOnly
            ? ETag with
            {
                Required = false,
                Describe = services => $"{ETag.Describe(services)} The police's answers only: a partner takes no step on the record, and reads it without a version.",
            }
            : ETag);
        endpoint.Add(built =>
        {
            if (built.Metadata.OfType<IHttpMethodMetadata>().Any(methods => methods.HttpMethods.SequenceEqual([HttpMethods.Get])))
            {
                built.Metadata.Add(ReadIfMatch);
                built.Metadata.Add(ReadIfNoneMatch);
                built.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified, typeof(void)));
                built.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status412PreconditionFailed, typeof(ProblemDetails), ["application/problem+json"]));
                built.FilterFactories.Add((_, next) => invocation => ConditionalReadAsync(invocation, next));
            }
        });
        return endpoint;
    }

    /// <summary>
    /// A read's preconditions, evaluated on the version its answer carries once it is found (a record the caller may not see
    /// stays a 404, whatever the headers say): a failed <c>If-Match</c> is a <c>412</c> with the current <c>ETag</c>, a failed
    /// <c>If-None-Match</c> a <c>304</c> with it and no body (RFC 9110 §13.2.2).
    /// </summary>
    private static async ValueTask<object?> ConditionalReadAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var answer = await next(invocation);
        if (answer is not IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK })
        {
            return answer;
        }

        var http = invocation.HttpContext;
        var current = http.Response.Headers.ETag is { Count: > 0 } etag ? etag.ToString() : null;
        return http.Request.PreconditionOn(current) switch
        {
            Precondition.IfMatchFails => PreconditionFailed(Precondition.IfMatchFails, "The record", current),
            Precondition.IfNoneMatchFails => Results.StatusCode(StatusCodes.Status304NotModified),
            _ => answer,
        };
    }

    /// <summary>
    /// The <c>412</c> of a precondition <paramref name="record"/> (<c>Tip 0195…</c>) fails, naming its <paramref name="current"/>
    /// ETag where the caller is shown one (which the answer also carries as its <c>ETag</c>).
    /// </summary>
    public static IResult PreconditionFailed(Precondition failed, string record, string? current) => Results.Problem(
        title: failed is Precondition.IfMatchFails ? $"{record} is not at a version If-Match names." : $"{record} is at a version If-None-Match names.",
        detail: current is null ? "Nothing was done."
            : failed is Precondition.IfMatchFails ? $"Its ETag is now {current}; read it again and retry."
            : $"Its ETag is {current}, a version If-None-Match names (its own tag, a weak one or *, which names any); nothing was done.",
        statusCode: StatusCodes.Status412PreconditionFailed);

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
    /// An <c>If-Match</c> or <c>If-None-Match</c> value as RFC 9110 writes it (§13.1.1, §5.6.1): <c>*</c> alone, or a list of entity
    /// tags (each quoted, a weak one with <c>W/</c> before it; a comma or a <c>*</c> inside the quotes is part of the tag), commas
    /// between them with spaces or tabs around, empty members (<c>"1", , "2",</c>) taken and skipped.
    /// </summary>
    public const string EntityTagList = "^(\\*|[ \\t,]*((W/)?\"[\\x21\\x23-\\x7E]*\"([ \\t]*,[ \\t,]*(W/)?\"[\\x21\\x23-\\x7E]*\")*[ \\t,]*)?)$";

    /// <summary>
    /// The optional <c>If-Match</c> header, as every step on a record declares it (<see cref="PreconditionOn"/> reads it):
    /// <c>*</c>, or a list of entity tags (<see cref="EntityTagList"/>), a weak one never matching; sent empty, a list of none
    /// (RFC 9110 §5.6.1), which the document takes (no <c>minLength</c>) and which matches no version.
    /// </summary>
    public static readonly DocumentedHeader IfMatch = new(
        HeaderNames.IfMatch,
        Required: false,
        MinLength: 0,
        MaxLength: 200,
        Pattern: EntityTagList,
        _ => "The record's ETag as you last read it (e.g. \"3\"), or * for any version. A stale one is a 412 with the current ETag, " +
            "and changes nothing; an empty one names no version and is a 412 too. Left out, the step applies to the version it finds.");

    /// <summary>The optional <c>If-None-Match</c> header of a step: the versions (or <c>*</c>, any) the step must not find.</summary>
    public static readonly DocumentedHeader IfNoneMatch = IfMatch with
    {
        Name = HeaderNames.IfNoneMatch,
        Describe = _ => "ETags (e.g. \"3\", W/\"3\" alike) or *: the step applies only if the record is at none of them; at one " +
            "(with *, at any: the record exists) it is a 412 with the current ETag, and changes nothing. An empty one names none.",
    };

    /// <summary><c>If-Match</c> on a read: the record is answered only at a version it names.</summary>
    private static readonly DocumentedHeader ReadIfMatch = IfMatch with
    {
        Describe = _ => "ETags (e.g. \"3\") or *: the record is answered only at one of them (a weak one, W/\"3\", never matches); else " +
            "a 412 with its current ETag. A version you are not shown (a partner's read of a tip or an incident) matches none but *.",
    };

    /// <summary><c>If-None-Match</c> on a read: the versions the caller holds.</summary>
    private static readonly DocumentedHeader ReadIfNoneMatch = IfMatch with
    {
        Name = HeaderNames.IfNoneMatch,
        Describe = _ => "ETags you hold (e.g. \"3\", W/\"3\" alike) or * (any): while the record is at one of them the answer is a 304 " +
            "with its ETag and no body. A version you are not shown matches none but *.",
    };

    /// <summary>
    /// What a request's preconditions make of a record whose answer carries <paramref name="current"/> (its ETag; null where
    /// the caller is shown no version), as RFC 9110 §13.2.2 evaluates them: first <c>If-Match</c>, which holds for <c>*</c> or a
    /// strong match among its tags (sent empty, it names no version, so it matches none, §13.1.1: a client that lost its ETag
    /// must not write blind); then <c>If-None-Match</c>, which fails for <c>*</c> or a weak match among its tags. A tag never
    /// matches a version the caller is not shown, so neither header tells it one.
    /// </summary>
    public static Precondition PreconditionOn(this HttpRequest request, string? current)
    {
        // A value no list reads names no version (the document's pattern refuses it first): If-Match then matches none.
        if (request.Headers.IfMatch.Count > 0 && EntityTagsOf(request.Headers.IfMatch)?.Any(tag => tag == "*" || (current is not null && tag == current)) != true)
        {
            return Precondition.IfMatchFails;
        }

        return EntityTagsOf(request.Headers.IfNoneMatch)?.Any(tag => tag == "*" || (current is not null && Opaque(tag) == Opaque(current))) == true
            ? Precondition.IfNoneMatchFails
            : Precondition.Holds;
    }

    /// <summary>
    /// The members of an <c>If-Match</c> or <c>If-None-Match</c> field, its lines read as one list, as the document's pattern
    /// reads it (<see cref="EntityTagList"/>, the lines joined as <see cref="RequestChecks"/> joins them): <c>*</c>, or each entity
    /// tag as sent (<c>W/"3"</c>), never split at a comma inside a tag's quotes; none for an empty field. Null when the field
    /// is no such list.
    /// </summary>
    public static IReadOnlyList<string>? EntityTagsOf(StringValues values)
    {
        var field = string.Join(", ", values.Where(value => !string.IsNullOrEmpty(value)));
        return !EntityTagListShape().IsMatch(field) ? null
            : field == "*" ? ["*"]
            : [.. EntityTag().Matches(field).Select(tag => tag.Value)];
    }

    [GeneratedRegex(EntityTagList, RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex EntityTagListShape();

    /// <summary>One entity tag of a list <see cref="EntityTagList"/> takes: its quotes hold no quote, so each match is one tag.</summary>
    [GeneratedRegex("(W/)?\"[\\x21\\x23-\\x7E]*\"", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex EntityTag();

    /// <summary>An entity tag as a weak comparison reads it: without <c>W/</c>.</summary>
    private static string Opaque(string tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;
}

/// <summary>What a request's <c>If-Match</c> and <c>If-None-Match</c> make of a record (<see cref="HttpResults.PreconditionOn"/>).</summary>
public enum Precondition
{
    /// <summary>Both hold (or neither was sent): the request goes on.</summary>
    Holds,

    /// <summary><c>If-Match</c> names no version the record is at: a <c>412</c>.</summary>
    IfMatchFails,

    /// <summary><c>If-None-Match</c> names the version the record is at (or <c>*</c>): a <c>304</c> on a read, a <c>412</c> on a step.</summary>
    IfNoneMatchFails,
}
