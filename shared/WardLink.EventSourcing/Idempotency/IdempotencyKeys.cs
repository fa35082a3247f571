using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using Npgsql;
using WardLink.Domain;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;

namespace WardLink.EventSourcing.Idempotency;

/// <summary>
/// Endpoint metadata: a creating endpoint that honours <c>Idempotency-Key</c>; its kept answer sealed when it holds a
/// secret; <see cref="WardOfBody"/>, for an endpoint whose record is another ward's than the one the request acts in
/// (a ward's establishment), reads that ward from the body (null: the request's).
/// </summary>
public sealed record IdempotentCreation(bool SealsAnswer, Func<byte[], JsonSerializerOptions, string?>? WardOfBody = null);

/// <summary>The answer kept for a key: what a retry gets back.</summary>
public sealed record KeptAnswer(int Status, string? Location, string? ETag, string? ContentType, byte[] Body);

/// <summary>The record a keyed creation made, which the row of its key names (<see cref="IdempotencyKeys.KeepsRecord"/>).</summary>
public sealed record KeptRecord(Guid Id);

/// <summary>
/// <c>Idempotency-Key</c> on creating <c>POST</c>s. The first successful (2xx) answer to a key is
/// kept with the request's fingerprint for <see cref="IdempotencyOptions.KeepFor"/>, in the same
/// transaction as the record it created: a retry with the same body gets that answer again (status,
/// <c>Location</c>, <c>ETag</c>, <c>Content-Type</c>, body, and <c>Idempotent-Replayed: true</c>)
/// and stores nothing; another body is a 422 problem; a retry while the first is still running
/// waits for it (a 409 problem with <c>Retry-After</c> after <see cref="IdempotencyOptions.WaitFor"/>).
/// A non-2xx answer stored nothing and is not kept. Keys are scoped to the client (the token's
/// subject, or the caller's address on an operation open to the public, whatever token comes with it) and the ward the request acts in, and kept with the record in
/// its ward's database (for a ward's establishment, the new ward's); only a hash of client, ward and key is stored.
/// </summary>
public static partial class IdempotencyKeys
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeaderName = "Idempotent-Replayed";
    public const int MaxLength = 200;

    /// <summary>
    /// Names the record this request creates in the row of its key, if it has one, so that erasing the record's personal data can
    /// forget the request's fingerprint (<see cref="IdempotencyStore.ForgetRequestsOf"/>).
    /// </summary>
    public static void KeepsRecord(this HttpContext http, Guid id) => http.Features.Set(new KeptRecord(id));

    /// <summary>The seconds a retry that found the first request with its key still running is told to wait.</summary>
    private const int InProgressRetryAfter = 1;

    /// <summary>1–200 visible ASCII characters (<c>!</c> to <c>~</c>).</summary>
    public const string Pattern = "^[\\x21-\\x7E]{1,200}$";

    /// <summary>The optional <c>Idempotency-Key</c> header, as every creating operation's document declares it.</summary>
    public static readonly DocumentedHeader Header = new(
        HeaderName,
        Required: false,
        MinLength: 1,
        MaxLength,
        Pattern,
        services =>
        {
            var options = services.GetRequiredService<IOptions<IdempotencyOptions>>().Value;
            return $"A key the client chooses for this request (1–{MaxLength} visible ASCII characters, e.g. a UUID). A retry with the same key " +
                $"and body within {options.KeepFor.TotalHours:0.##} hours gets the first successful answer again (with {ReplayedHeaderName}: true) " +
                $"and stores nothing; the same key with another body is a 422 (once the record it created has had its personal data erased, the kept " +
                $"answer whatever the body); a retry while the first is running waits for it, or is a 409 after " +
                $"{options.WaitFor.TotalSeconds:0.##} s; a retry whose kept answer cannot be read (changed in the database) is a 409, never a replay. " +
                "Keys are the client's own.";
        });

    /// <summary>
    /// The optional <c>Idempotency-Key</c> of a step that adds to a record (a message in a tip's thread): kept in the record's own
    /// stream for as long as the record, where a creation's key is kept apart for <see cref="IdempotencyOptions.KeepFor"/>.
    /// </summary>
    public static readonly DocumentedHeader StepHeader = Header with
    {
        Describe = _ => $"A key the client chooses for this request (1–{MaxLength} visible ASCII characters, e.g. a UUID), kept with what it adds " +
            $"for as long as the record: a retry with the same key and text gets the record as it stands (with {ReplayedHeaderName}: true, whatever " +
            "If-Match it sends) and adds nothing; the same key with another text is a 422. Keys are the client's own.",
    };

    /// <summary>What a replayed answer carries besides the kept one's status, headers and body.</summary>
    public static readonly AnsweredHeader Replayed = new(
        ReplayedHeaderName,
        AnsweredHeader.Success,
        Required: false,
        _ => $"true on the answer kept for an earlier request with the same {HeaderName} and body, sent again: nothing was stored this time. A first answer has none.",
        () => new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("true")] });

    /// <summary>What a 409 says when it is a retry that waited in vain for the first request with its key.</summary>
    public static readonly AnsweredHeader RetryWhileInProgress = new(
        HeaderNames.RetryAfter,
        status => status == StatusCodes.Status409Conflict,
        Required: false,
        services => $"On a retry that waited {services.GetRequiredService<IOptions<IdempotencyOptions>>().Value.WaitFor.TotalSeconds:0.##} s for the first request with its {HeaderName}, still running: the seconds to wait before sending it again.",
        () => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = InProgressRetryAfter.ToString(CultureInfo.InvariantCulture) });

    /// <summary>
    /// Honours <c>Idempotency-Key</c> on this creating endpoint; <paramref name="sealAnswer"/> keeps
    /// its answer encrypted with the service's <see cref="SealingKey"/> (an answer holding a secret).
    /// </summary>
    public static RouteHandlerBuilder WithIdempotency(this RouteHandlerBuilder endpoint, bool sealAnswer = false) =>
        endpoint.WithIdempotency(new IdempotentCreation(sealAnswer));

    /// <summary>
    /// Honours <c>Idempotency-Key</c> on an endpoint that records in the ward <paramref name="wardOf"/> names in its body (read
    /// as the endpoint reads it): the key, still the ward's the request acts in, is kept in that ward's database, with the record.
    /// </summary>
    public static RouteHandlerBuilder WithIdempotency<TRequest>(this RouteHandlerBuilder endpoint, Func<TRequest, string?> wardOf) =>
        endpoint.WithIdempotency(new IdempotentCreation(false, (body, json) => ReadOrDefault<TRequest>(body, json) is { } request ? wardOf(request) : null));

    /// <summary>
    /// Declares the optional <see cref="StepHeader"/> of a step that keeps its key in its record's stream
    /// (<see cref="WithKeyKeptInStream"/>), the <c>Idempotent-Replayed</c> of its retries and the 422 of a key reused.
    /// </summary>
    public static RouteHandlerBuilder WithIdempotentStep(this RouteHandlerBuilder endpoint) =>
        endpoint.WithHeader(StepHeader).WithAnsweredHeader(Replayed).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    private static TRequest? ReadOrDefault<TRequest>(byte[] body, JsonSerializerOptions json)
    {
        try
        {
            return JsonSerializer.Deserialize<TRequest>(body, json);
        }
        catch (JsonException)
        {
            // The endpoint answers the unreadable body with its 400: nothing is recorded, anywhere.
            return default;
        }
    }

    private static RouteHandlerBuilder WithIdempotency(this RouteHandlerBuilder endpoint, IdempotentCreation creation)
    {
        endpoint.WithMetadata(creation).WithHeader(Header).WithAnsweredHeader(Replayed).WithAnsweredHeader(RetryWhileInProgress);
        endpoint.Finally(built =>
        {
            foreach (var status in new[] { StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity })
            {
                if (!built.Metadata.OfType<IProducesResponseTypeMetadata>().Any(produced => produced.StatusCode == status))
                {
                    built.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]));
                }
            }
        });
        return endpoint;
    }

    /// <summary>After authentication (the key is the client's) and the body limit (the body is read here).</summary>
    /// <remarks>
    /// A key sent with a write that keeps none (a step, other than a message in a tip's thread) is a 400 naming it: ignored, it
    /// let a retried note be posted twice while its client believed the key guarded it.
    /// </remarks>
    public static IApplicationBuilder UseIdempotencyKeys(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!http.Request.Headers.TryGetValue(HeaderName, out var values) || http.GetEndpoint() is not { } endpoint)
        {
            await next(http);
            return;
        }

        if (endpoint.Metadata.GetMetadata<IdempotentCreation>() is not { } creation)
        {
            await (TakesNoKey(http.Request.Method, endpoint.Metadata) ? NotTaken().ExecuteAsync(http) : next(http));
            return;
        }

        if (values.Count != 1 || !IsValid(values[0]))
        {
            await NotAKey().ExecuteAsync(http);
            return;
        }

        var sealing = http.RequestServices.GetService<SealingKey>();
        var body = await ReadBodyAsync(http.Request, http.RequestAborted);
        var keptIn = creation.WardOfBody?.Invoke(body, http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions) is { } named && WardNames.IsId(named)
            ? named
            : WardContext.Current;
        await RunAsync(http, next, creation, keptIn, RecordIdOf(ClientOf(http), WardContext.Current, values[0]!, sealing), Fingerprint(http.Request, body, sealing));
    });

    /// <summary>
    /// Runs a step that keeps its request's key in its record's stream (a message in a tip's thread, <see cref="StepHeader"/>) with the
    /// key as the stream keeps it: a hash of <paramref name="client"/> and the key (<see cref="RecordIdOf"/>, in no ward: the record is
    /// the scope), or null when the request sends none. A header that is not one key of 1–200 visible ASCII characters is a 400.
    /// </summary>
    public static Task<IResult> WithKeyKeptInStream(this HttpContext http, string client, SealingKey sealing, Func<string?, Task<IResult>> step) =>
        !http.Request.Headers.TryGetValue(HeaderName, out var values) ? step(null)
        : values.Count == 1 && IsValid(values[0]) ? step(RecordIdOf(client, null, values[0]!, sealing))
        : Task.FromResult(NotAKey());

    /// <summary>Whether a request of <paramref name="method"/> to an endpoint of <paramref name="metadata"/> writes without keeping a key.</summary>
    private static bool TakesNoKey(string method, EndpointMetadataCollection metadata) =>
        !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method)
        && !metadata.OfType<DocumentedHeader>().Any(header => header.Name == HeaderName);

    /// <summary>Why a key sent with a write that keeps none is refused.</summary>
    public const string NotTakenMessage =
        "This operation keeps no Idempotency-Key (creations and a tip's messages do): send If-Match with the ETag you read instead, " +
        "so a retry of a step that was applied is a 412 and applies nothing again.";

    private static IResult NotTaken() =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [HeaderName] = [NotTakenMessage] }, title: Rejection.InvalidTitle);

    private static IResult NotAKey() =>
        Results.ValidationProblem(
            new Dictionary<string, string[]> { [HeaderName] = [$"Give one key of 1 to {MaxLength} visible ASCII characters."] },
            title: Rejection.InvalidTitle);

    public static bool IsValid(string? key) =>
        key is { Length: > 0 } && Characters.AtMost(key, MaxLength) && key.All(character => character is >= '!' and <= '~');

    /// <summary>Who the key belongs to: the token's subject, else the caller's address (the first the gateway forwarded for, else the connection's).</summary>
    public static string ClientOf(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, Name: { } subject }
            ? $"sub:{subject}"
            : $"address:{http.Request.Headers["X-Forwarded-For"].FirstOrDefault()?.Split(',')[0].Trim() ?? http.Connection.RemoteIpAddress?.ToString()}";

    /// <summary>
    /// The stored id of a client's key in the ward the request acts in (<paramref name="ward"/>; null: the service's
    /// default): a hash, so the table names neither the client nor the key (keyed with <paramref name="sealing"/>, the
    /// service's key, where it has one: an anonymous caller's address is a short list to guess). A key is kept in its ward's
    /// database, with the record it made, so the same key in another ward is another request wherever the wards' databases are.
    /// </summary>
    public static string RecordIdOf(string client, string? ward, string key, SealingKey? sealing) => Hash(Encoding.UTF8.GetBytes($"{client}\n{ward}\n{key}"), sealing);

    /// <summary>Runs the request under the key kept as <paramref name="id"/> in the database of <paramref name="ward"/> (null: the default ward's).</summary>
    private static async Task RunAsync(HttpContext http, RequestDelegate next, IdempotentCreation creation, string? ward, string id, string fingerprint)
    {
        var ct = http.RequestAborted;
        var store = http.RequestServices.GetRequiredService<IdempotencyStore>();
        await using var connection = await store.OpenAsync(ward, ct);
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            switch (await store.ReserveAsync(transaction, id, fingerprint, ct))
            {
                case Reservation.Reserved:
                    await RunReservedAsync(http, next, creation, id, store, transaction, store.DatabaseOf(ward));
                    return;
                case Reservation.InProgress:
                    http.Response.Headers.RetryAfter = InProgressRetryAfter.ToString(CultureInfo.InvariantCulture);
                    await Results.Problem(
                            title: $"A request with this {HeaderName} is still in progress.",
                            detail: "Retry once it has been answered: the retry then gets its answer.",
                            statusCode: StatusCodes.Status409Conflict)
                        .ExecuteAsync(http);
                    return;
            }
        }

        // Kept by a committed request: read it outside the reserving transaction.
        if (await store.LoadAsync(connection, id, ct) is not { } kept)
        {
            // It expired between the two statements: the key is free again.
            await RunAsync(http, next, creation, ward, id, fingerprint);
            return;
        }

        // A fingerprint forgotten (its record's personal data erased) is no oracle: the key answers as it did, whatever the body.
        if (kept.Fingerprint != fingerprint && kept.Fingerprint != IdempotencyStore.ForgottenFingerprint)
        {
            await Rejection.KeyReused.ToProblem().ExecuteAsync(http);
            return;
        }

        if (ReadKept(http, creation, id, kept.Answer, kept.Sealed) is not { } answer)
        {
            await Results.Problem(title: UnreadableTitle, detail: UnreadableDetail, statusCode: StatusCodes.Status409Conflict).ExecuteAsync(http);
            return;
        }

        http.Response.StatusCode = answer.Status;
        http.Response.Headers.Location = answer.Location;
        http.Response.Headers.ETag = answer.ETag;
        http.Response.ContentType = answer.ContentType;
        http.Response.Headers[ReplayedHeaderName] = "true";
        http.Response.ContentLength = answer.Body.Length;
        await http.Response.Body.WriteAsync(answer.Body, ct);
    }

    /// <summary>The title of the 409 a retry gets when the answer kept for its key cannot be read (<see cref="ReadKept"/>).</summary>
    public const string UnreadableTitle = $"The answer kept for this {HeaderName} cannot be read.";

    /// <summary>What that 409 tells the client to do.</summary>
    public const string UnreadableDetail =
        "The first request with this key was applied, but the answer kept for it was changed in the database or sealed with another key: " +
        "nothing was done now. Find the record it created (a list, a search) rather than send the request with a new key, which creates another.";

    /// <summary>
    /// The answer kept as <paramref name="id"/>, opened bound to that id (the row's key, which it was loaded by) when the endpoint
    /// seals its answers; null when it does not open or read as a kept answer (a 2xx with a body), with a warning naming the row and
    /// what failed, never a byte of it: a sealed answer kept in clear, a part of it missing, another key's or another row's.
    /// </summary>
    private static KeptAnswer? ReadKept(HttpContext http, IdempotentCreation creation, string id, byte[]? answer, SealedData? sealedAnswer)
    {
        string failure;
        try
        {
            var plain = sealedAnswer is not null
                ? (http.RequestServices.GetService<SealingKey>() ?? throw new CryptographicException("A sealed answer where the service has no sealing key.")).Open(sealedAnswer, Encoding.UTF8.GetBytes(id))
                : creation.SealsAnswer ? throw new CryptographicException("A sealed answer is kept in clear.")
                : answer ?? throw new JsonException("No answer is kept.");
            if (JsonSerializer.Deserialize<KeptAnswer>(plain) is { Status: >= 200 and < 300, Body: not null } read)
            {
                return read;
            }

            failure = "not a kept answer (a 2xx with a body)";
        }
        catch (Exception unreadable) when (unreadable is CryptographicException or ArgumentException or JsonException)
        {
            failure = unreadable.GetType().Name;
        }

        KeptAnswerUnreadable(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IdempotencyKeys)), id, failure);
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The answer kept for Idempotency-Key row {KeyRow} cannot be read ({Failure}): changed in the database or sealed with another key; its retries are a 409")]
    private static partial void KeptAnswerUnreadable(ILogger logger, string keyRow, string failure);

    /// <summary>
    /// Runs the request inside <paramref name="transaction"/> (every document session it opens
    /// enlists, see <see cref="RequestTransaction"/>) with its answer buffered; a 2xx answer is kept
    /// and committed with the record, anything else rolls back. The answer is sent after the commit.
    /// </summary>
    private static async Task RunReservedAsync(
        HttpContext http, RequestDelegate next, IdempotentCreation creation, string id, IdempotencyStore store, NpgsqlTransaction transaction, string database)
    {
        var ct = http.RequestAborted;
        var responseBody = http.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new MemoryStream();
        var buffered = new StreamResponseBodyFeature(buffer);
        http.Features.Set<IHttpResponseBodyFeature>(buffered);
        try
        {
            RequestTransaction.Enlist(transaction, database);
            await next(http);
            await buffered.CompleteAsync();
        }
        finally
        {
            RequestTransaction.Leave();
            http.Features.Set(responseBody);
        }

        if (http.Response.StatusCode is >= 200 and < 300)
        {
            var answer = JsonSerializer.SerializeToUtf8Bytes(new KeptAnswer(
                http.Response.StatusCode, http.Response.Headers.Location, http.Response.Headers.ETag, http.Response.ContentType, buffer.ToArray()));
            var sealedAnswer = creation.SealsAnswer ? SealingKeyOf(http).Seal(answer, Encoding.UTF8.GetBytes(id)) : null;
            await store.KeepAsync(transaction, id, answer, sealedAnswer, http.Features.Get<KeptRecord>()?.Id, ct);
            await transaction.CommitAsync(ct);
        }
        else
        {
            await transaction.RollbackAsync(ct);
        }

        http.Response.ContentLength = buffer.Length;
        await http.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct);
    }

    private static SealingKey SealingKeyOf(HttpContext http) =>
        http.RequestServices.GetService<SealingKey>()
        ?? throw new InvalidOperationException($"{http.GetEndpoint()?.DisplayName} keeps its answer sealed, but the service registers no {nameof(SealingKey)}.");

    /// <summary>
    /// The request a key stands for: method, path (without the gateway's base, nor a trailing slash, which routing takes alike:
    /// a client that added one on its retry was told the key stood for another request) and body, hashed under the service's
    /// key where it has one (a tip's body holds the tipster's contact, whose few possible phone numbers an unkeyed hash would
    /// let anyone with the table try).
    /// </summary>
    private static string Fingerprint(HttpRequest request, byte[] body, SealingKey? sealing) =>
        Hash([.. Encoding.UTF8.GetBytes($"{request.Method}\n{RoutedPath(request)}\n"), .. body], sealing);

    /// <summary>
    /// The path as routing read it: its endpoint's pattern with the values it took, an id written as a GUID is written, so a
    /// retry with the path in another letter case (an id in upper case) or a trailing slash, which routing takes alike, is the
    /// same request. A path no pattern routed (none is kept) as sent, without a trailing slash.
    /// </summary>
    private static string RoutedPath(HttpRequest request) =>
        request.HttpContext.GetEndpoint() is RouteEndpoint { RoutePattern: var pattern }
            ? string.Concat(pattern.PathSegments.Select(segment => "/" + string.Concat(segment.Parts.Select(part => AsRouted(part, request.RouteValues)))))
            : request.Path.Value?.TrimEnd('/') ?? string.Empty;

    /// <summary>A part of a route's pattern as written there, a parameter as the value it took (an id as a GUID is written).</summary>
    private static string? AsRouted(RoutePatternPart part, RouteValueDictionary values) => part switch
    {
        RoutePatternLiteralPart literal => literal.Content,
        RoutePatternSeparatorPart separator => separator.Content,
        RoutePatternParameterPart parameter => values[parameter.Name] is string value && Guid.TryParse(value, out var id)
            ? id.ToString()
            : Convert.ToString(values[parameter.Name], CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>The request's body, left for the endpoint to read again.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        request.EnableBuffering();
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, ct);
        request.Body.Position = 0;
        return body.ToArray();
    }

    /// <summary>The purpose the service's key is derived for to hash what idempotency keeps.</summary>
    private const string HashPurpose = "wardlink-idempotency-v1";

    private static string Hash(byte[] data, SealingKey? sealing) =>
        Convert.ToHexStringLower(sealing is null ? SHA256.HashData(data) : sealing.Fingerprint(data, HashPurpose));
}
