using JasperFx.Events;
using Marten;
using Npgsql;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using WardLink.Domain;
using WardLink.EventSourcing.Idempotency;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;

namespace WardLink.EventSourcing;

/// <summary>The shapes every stream endpoint shares: create a stream from a decision, change one under If-Match and If-None-Match, read one with its ETag.</summary>
public static class StreamResults
{
    /// <summary>How long a step waits for its turn on a record (<see cref="ProblemResponses.StepTurnSeconds"/>).</summary>
    public static readonly TimeSpan TurnTimeout = TimeSpan.FromSeconds(ProblemResponses.StepTurnSeconds);

    /// <summary>
    /// Starts stream <paramref name="id"/> with the decision's events and answers 201 with the new
    /// state (or what <paramref name="answer"/> makes of it), its location (under the caller's path
    /// base) and ETag; or the decision's problem. A record of the request's ward that begins (its
    /// first event's business time; <paramref name="beginsAt"/> for a refused one that began nothing) once that ward has ended
    /// is refused (400, field <c>ward</c>, with the request's other wrong values): what happens from a merger on is the
    /// successor's (<see cref="WardIntake.RefusalOfNewRecord"/>).
    /// </summary>
    public static async Task<IResult> StartStreamAsync<TState>(
        this IDocumentSession session,
        HttpContext http,
        Guid id,
        Decision decision,
        string path,
        CancellationToken ct,
        Func<TState, object>? answer = null,
        Func<DateTimeOffset, DateTimeOffset?>? beginsAt = null)
        where TState : class
    {
        if (http.RefusalOfNewRecord(session, decision, beginsAt) is { } rejection)
        {
            return rejection.ToProblem();
        }

        session.Events.StartStream<TState>(id, decision.Events);
        await session.SaveChangesCheckedAsync(ct);
        var state = await session.Events.AggregateStreamAsync<TState>(id, token: ct);
        http.Response.SetETag(decision.Events.Count);
        return Results.Created($"{http.Request.PathBase}{path}", answer is null ? http.ViewOf(state!) : answer(state!));
    }

    /// <summary>
    /// Appends to stream <paramref name="id"/> what <paramref name="decide"/> returns for its current
    /// state, and answers 200 with the new state and ETag. 404 when the stream does not exist; 412
    /// when the request's <c>If-Match</c> names another version (without <c>If-Match</c> the write
    /// goes against the version just read) or its <c>If-None-Match</c> names this one (or <c>*</c>), also where the step names a
    /// part of the record that is not there (a removal applied before); the decision's problem when refused. Nothing is appended
    /// unless the decision accepts. The stream is read under a lock held until the step commits: steps on one
    /// record sent at once take turns, each deciding on the state the one before it left, as if sent one after
    /// another (no lost race, no 409 but the decision's). <paramref name="respond"/> may answer
    /// something other than the new state. An unversioned step (<paramref name="versioned"/> false: the anonymous
    /// follow-up) neither reads <c>If-Match</c> nor <c>If-None-Match</c> nor answers an ETag: the stream's version counts every event, and so
    /// would tell the public how often the police acted on the record. A record the API names otherwise than by its stream's id
    /// (a ward, by its own) is named in a problem as <paramref name="shownId"/>. A decision that finds the request applied
    /// before (<see cref="Decision.Replayed"/>) appends nothing and answers the record as it stands, with
    /// <c>Idempotent-Replayed: true</c>, whatever <c>If-Match</c> or <c>If-None-Match</c> says (each was judged against the version the
    /// first found).
    /// </summary>
    public static Task<IResult> AppendToStreamAsync<TState>(
        this IDocumentSession session,
        HttpContext http,
        Guid id,
        string what,
        Func<TState, Decision> decide,
        CancellationToken ct,
        Func<TState, IResult>? respond = null,
        bool versioned = true,
        string? shownId = null)
        where TState : class =>
        session.AppendToStreamAsync<TState>(http, id, what, state => Task.FromResult(decide(state)), ct, respond, versioned, shownId);

    /// <summary>
    /// <see cref="AppendToStreamAsync{TState}(IDocumentSession, HttpContext, Guid, string, Func{TState, Decision}, CancellationToken, Func{TState, IResult}?, bool, string?)"/>
    /// for a step that reads what it decides on in its turn, besides the state (whether a document beside the stream is there
    /// once the steps before it have committed): <paramref name="decide"/> reads it in the step's transaction, then decides.
    /// </summary>
    public static async Task<IResult> AppendToStreamAsync<TState>(
        this IDocumentSession session,
        HttpContext http,
        Guid id,
        string what,
        Func<TState, Task<Decision>> decide,
        CancellationToken ct,
        Func<TState, IResult>? respond = null,
        bool versioned = true,
        string? shownId = null)
        where TState : class
    {
        if (await session.StreamOfAsync<TState>(id, ct) is null)
        {
            return NotFound(what, id);
        }

        // The record's row stays locked until this step commits: steps on one record take turns, each deciding on what the one
        // before it wrote, so none loses a race (a 409 for no reason of its own) and a stale If-Match is told so (412). A turn
        // that does not come within TurnTimeout is a 503 at once (StoreProblems): whatever holds the record is stuck.
        await session.BeginTransactionAsync(ct);
        await using (var wait = new NpgsqlCommand($"SET LOCAL lock_timeout = {(long)TurnTimeout.TotalMilliseconds}", session.Connection))
        {
            await wait.ExecuteNonQueryAsync(ct);
        }

        var stream = await session.Events.FetchForExclusiveWriting<TState>(id, ct);
        if (stream.Aggregate is not { } state)
        {
            return NotFound(what, id);
        }

        // The decision (pure) runs first: a record it finds is not there for this caller (another partner's, deleted)
        // is a 404 whatever If-Match says, so a stale ETag never tells that it exists, nor its version. A part of the record
        // that is not there (RejectionKind.PartNotFound: a linked tip, a contact) is judged after the preconditions below.
        var decision = await decide(state);
        if (decision.Rejection is { Kind: RejectionKind.NotFound } missing)
        {
            return missing.ToProblem();
        }

        var version = stream.CurrentVersion ?? 0;
        if (decision.Replayed)
        {
            // A retry of a step applied before (its key is in the stream): its If-Match, the version the first saw, is stale by that step.
            http.Response.Headers[IdempotencyKeys.ReplayedHeaderName] = "true";
            return Answer(http, state, version, versioned, respond);
        }

        if (versioned && http.Request.PreconditionOn(HttpResults.ETagOf(version)) is not Precondition.Holds and var failed)
        {
            http.Response.SetETag(version);
            return HttpResults.PreconditionFailed(failed, $"{what} {shownId ?? id.ToString()}", HttpResults.ETagOf(version));
        }

        if (decision.Rejection is { } rejection)
        {
            return rejection.ToProblem();
        }

        stream.AppendMany(decision.Events);
        await session.SaveChangesCheckedAsync(ct);
        var newVersion = version + decision.Events.Count;
        return Answer(http, (await session.Events.AggregateStreamAsync<TState>(id, newVersion, token: ct))!, newVersion, versioned, respond);
    }

    private static IResult Answer<TState>(HttpContext http, TState state, long version, bool versioned, Func<TState, IResult>? respond)
        where TState : class
    {
        if (versioned)
        {
            http.Response.SetETag(version);
        }

        return respond is null ? Results.Ok(http.ViewOf(state)) : respond(state);
    }

    /// <summary>Stream <paramref name="id"/>'s state with its version as ETag, or a 404 problem naming <paramref name="what"/>.</summary>
    public static async Task<IResult> ReadStreamAsync<TState>(
        this IQuerySession session, HttpContext http, Guid id, string what, CancellationToken ct)
        where TState : class
    {
        var (state, version) = await session.LoadStreamAsync<TState>(id, ct);
        if (state is null)
        {
            return NotFound(what, id);
        }

        http.Response.SetETag(version);
        return Results.Ok(http.ViewOf(state));
    }

    /// <summary>A stream's state and version, read consistently; a null state when <see cref="StreamOfAsync{TState}"/> finds no such stream.</summary>
    public static async Task<(TState? State, long Version)> LoadStreamAsync<TState>(this IQuerySession session, Guid id, CancellationToken ct)
        where TState : class =>
        await session.StreamOfAsync<TState>(id, ct) is { } stream
            ? (await session.Events.AggregateStreamAsync<TState>(id, stream.Version, token: ct), stream.Version)
            : (null, 0);

    /// <summary>
    /// Stream <paramref name="id"/>'s state when it is a <typeparamref name="TState"/> stream; null when there is none
    /// or it holds something else: an id a caller sends names a record of the kind its field says, or none.
    /// </summary>
    public static async Task<TState?> StateOfAsync<TState>(this IQuerySession session, Guid id, CancellationToken ct)
        where TState : class =>
        (await session.LoadStreamAsync<TState>(id, ct)).State;

    /// <summary>
    /// Stream <paramref name="id"/> when it is a <typeparamref name="TState"/> stream; null when it does
    /// not exist or holds something else (a yearly counter, another kind of record): an internal
    /// stream is never read or written as a record.
    /// </summary>
    public static async Task<StreamState?> StreamOfAsync<TState>(this IQuerySession session, Guid id, CancellationToken ct)
        where TState : class
    {
        var stream = await session.FetchStreamStateAsync(id, [typeof(TState)], ct);
        return stream?.AggregateType == typeof(TState) ? stream : null;
    }

    /// <summary>
    /// Stream <paramref name="id"/>'s state, its aggregate type named when it is one of
    /// <paramref name="aggregateTypes"/>. Marten names a stream's aggregate type only once it knows
    /// the type's alias, so it is taught them first (a state aggregated live, like a site, is
    /// otherwise unknown in a fresh process).
    /// </summary>
    public static Task<StreamState?> FetchStreamStateAsync(this IQuerySession session, Guid id, IEnumerable<Type> aggregateTypes, CancellationToken ct)
    {
        var events = (Marten.Events.EventGraph)session.DocumentStore.Options.Events;
        foreach (var type in aggregateTypes)
        {
            events.AggregateAliasFor(type);
        }

        return session.Events.FetchStreamStateAsync(id, ct);
    }

    /// <summary>
    /// The 404 problem of a stream that does not exist, naming <paramref name="what"/> it would be; also of one the caller may
    /// not see, which is answered word for word the same (<see cref="Rejection.NotFound(string, Guid)"/>).
    /// </summary>
    public static ProblemHttpResult NotFound(string what, Guid id) =>
        TypedResults.Problem(title: Rejection.NotFound(what, id).Title, statusCode: StatusCodes.Status404NotFound);
}
