using Marten;
using Microsoft.AspNetCore.Http;

namespace WardLink.ServiceDefaults;

/// <summary>The shapes every stream endpoint shares: create a stream from a decision, read one with its ETag.</summary>
public static class StreamResults
{
    /// <summary>
    /// Starts stream <paramref name="id"/> with the decision's events and answers 201 with the new
    /// state, its location (under the caller's path base) and ETag; or the decision's problem.
    /// </summary>
    public static async Task<IResult> StartStreamAsync<TState>(
        this IDocumentSession session, HttpContext http, Guid id, Decision decision, string path, CancellationToken ct)
        where TState : class
    {
        if (decision.Rejection is { } rejection)
        {
            return rejection.ToProblem();
        }

        session.Events.StartStream<TState>(id, decision.Events);
        await session.SaveChangesAsync(ct);
        var state = await session.Events.AggregateStreamAsync<TState>(id, token: ct);
        http.Response.SetETag(decision.Events.Count);
        return Results.Created($"{http.Request.PathBase}{path}", state);
    }

    /// <summary>
    /// Appends to stream <paramref name="id"/> what <paramref name="decide"/> makes of its current
    /// state, with optimistic concurrency: an <c>If-Match</c> that is not the current version is a
    /// 412 problem, a lost race a 409 (see <see cref="ProblemResponses"/>). Answers the new state
    /// with its ETag, or what <paramref name="respond"/> makes of it; or the decision's problem.
    /// </summary>
    public static async Task<IResult> AppendToStreamAsync<TState>(
        this IDocumentSession session,
        HttpContext http,
        Guid id,
        Func<TState?, Decision> decide,
        CancellationToken ct,
        Func<TState, IResult>? respond = null)
        where TState : class
    {
        var (state, version) = await session.LoadStreamAsync<TState>(id, ct);
        if (state is not null && http.Request.Headers.IfMatch is [{ } ifMatch] && ifMatch != HttpResults.ETagOf(version))
        {
            return Results.Problem(
                title: "The record has changed since it was read.",
                detail: $"If-Match was {ifMatch}; the current version is {HttpResults.ETagOf(version)}. Read it again.",
                statusCode: StatusCodes.Status412PreconditionFailed);
        }

        var decision = decide(state);
        if (decision.Rejection is { } rejection)
        {
            return rejection.ToProblem();
        }

        var newVersion = version + decision.Events.Count;
        session.Events.Append(id, newVersion, [.. decision.Events]);
        await session.SaveChangesAsync(ct);
        var updated = await session.Events.AggregateStreamAsync<TState>(id, token: ct);
        http.Response.SetETag(newVersion);
        return respond is null ? Results.Ok(updated) : respond(updated!);
    }

    /// <summary>Stream <paramref name="id"/>'s state with its version as ETag, or a 404 problem naming <paramref name="what"/>.</summary>
    public static async Task<IResult> ReadStreamAsync<TState>(
        this IQuerySession session, HttpContext http, Guid id, string what, CancellationToken ct)
        where TState : class
    {
        var (state, version) = await session.LoadStreamAsync<TState>(id, ct);
        if (state is null)
        {
            return Results.Problem(title: $"{what} {id} was not found.", statusCode: StatusCodes.Status404NotFound);
        }

        http.Response.SetETag(version);
        return Results.Ok(state);
    }

    /// <summary>A stream's state and version, read consistently; a null state when the stream does not exist.</summary>
    public static async Task<(TState? State, long Version)> LoadStreamAsync<TState>(this IQuerySession session, Guid id, CancellationToken ct)
        where TState : class
    {
        var stream = await session.Events.FetchStreamStateAsync(id, ct);
        return stream is null
            ? (null, 0)
            : (await session.Events.AggregateStreamAsync<TState>(id, stream.Version, token: ct), stream.Version);
    }
}
