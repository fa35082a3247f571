using JasperFx;
using Marten.Exceptions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;
using Npgsql;
using WardLink.Domain;
using WardLink.ServiceDefaults;

namespace WardLink.EventSourcing;

/// <summary>
/// The store's exceptions a client can act on, as problem details: a page deeper than a list of wards
/// in several databases pages is a 400, a lost optimistic concurrency race or a stream that already
/// exists a 409, a record one of whose stored events no longer reads as its type (changed in the database) a 409 naming the
/// event's sequence (the state cannot be rebuilt, a read's or a step's alike), a record whose turn did not come (a step behind a stuck one) and PostgreSQL being down a 503 with <c>Retry-After</c>,
/// a stream that disagrees with itself (<see cref="InconsistentStreamException"/>: its row behind its events, a counter's last number not
/// following from its history) a 500 that says so, never a race to retry, with an Error line for the operators. Anything else is left to the next handler (a 500).
/// </summary>
internal sealed class StoreProblems(IProblemDetailsService problems, ILogger<StoreProblems> logger) : IExceptionHandler
{
    /// <summary>The problem of a record one of whose stored events no longer reads as its type (an insider's change in the database).</summary>
    public const string UnreadableTitle = "A stored event of this record cannot be read.";

    public ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var inconsistent = exception.Wrapped<InconsistentStreamException>();
        if (inconsistent is not null)
        {
            logger.LogError(
                inconsistent,
                "Stream {StreamId} of tenant {Tenant} is inconsistent, changed in the database outside the service: {Disagreement}. Every write to it is refused until it is mended.",
                inconsistent.StreamId,
                inconsistent.Tenant,
                inconsistent.Disagreement);
        }

        return problems.TryAnswerAsync(httpContext, exception, exception switch
        {
            _ when inconsistent is not null => new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = InconsistentStreams.Title,
                Detail = "What the database holds of it disagrees with itself (changed outside the service). Nothing was stored, and a retry " +
                    "meets the same until the operators mend it: they were told, the service's log names the record.",
            },
            PageTooDeepException deep => new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["page"] = [deep.Message] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = Rejection.InvalidTitle,
            },
            ConcurrencyException => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "The record was changed by someone else at the same time.",
                Detail = "Read it again and retry.",
            },
            ExistingStreamIdCollisionException collision => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "It already exists.",
                Detail = $"A record with id {collision.Id} already exists.",
            },
            _ when exception.Wrapped<EventDeserializationFailureException>() is { } unreadable => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = UnreadableTitle,
                Detail = $"The event at sequence {unreadable.Sequence} no longer reads as its type: its stored data was changed in the database, " +
                    "outside the service. Nothing was done. The audit's integrity report names the change, and the record's events are shown as stored.",
            },
            _ when IsBusy(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The record is busy with other changes.",
                Detail = $"Nothing was changed: its turn did not come within {StreamResults.TurnTimeout.TotalSeconds:0} seconds. Retry in {ProblemResponses.RetryAfterSeconds} seconds.",
            },
            _ when DatabaseOutages.Is(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The database (PostgreSQL) is unavailable.",
                Detail = $"A connection lost at the commit leaves unknown whether the request was stored: in {ProblemResponses.RetryAfterSeconds} seconds, "
                    + ProblemResponses.RetryRecognised,
            },
            _ => null,
        });
    }

    /// <summary>
    /// Every operation naming a record in its path, and every one answering a 409 of its own (a creation may read the records
    /// its body names), may find a stored event of a record it reads unreadable: the document says so.
    /// </summary>
    public static Task DescribeUnreadable(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        operation.Responses ??= [];
        var status = $"{StatusCodes.Status409Conflict}";
        if (operation.Responses.TryGetValue(status, out var conflict))
        {
            if (conflict is OpenApiResponse { Description: var described } response && described?.Contains(UnreadableDescription, StringComparison.Ordinal) != true)
            {
                response.Description = $"{described}: the request is refused by the state of a record it acts on or names (the problem's title says why); or {UnreadableDescription}";
            }
        }
        else if (context.Description.RelativePath?.Contains('{', StringComparison.Ordinal) == true)
        {
            // The document's own ProblemDetails (every record's 404 names it), not a copy of it in every operation.
            operation.Responses[status] = new OpenApiResponse
            {
                Description = UnreadableDescription,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(nameof(ProblemDetails), context.Document) },
                },
            };
        }

        return Task.CompletedTask;
    }

    private const string UnreadableDescription =
        "a stored event of the record no longer reads as its type (its data was changed in the database, outside the service): " +
        "problem details naming the event's sequence; nothing was done. The audit's integrity report names the change.";

    /// <summary>Whether <paramref name="exception"/> (or what it wraps) is a lock not granted within the statement's <c>lock_timeout</c> (a step's turn).</summary>
    private static bool IsBusy(Exception? exception) => exception.Wraps(failure => failure is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable });
}

/// <summary>The failures that are PostgreSQL's outage, not the request's: a 503 to answer, a message's retry to wait out.</summary>
public static class DatabaseOutages
{
    /// <summary>
    /// Whether <paramref name="exception"/> (or what it wraps) is PostgreSQL being unreachable or
    /// going away (refused, reset, shutting down, out of connections): Npgsql calls those transient.
    /// A transaction it interrupted is all or nothing, but one lost while its commit's answer was on the way may have
    /// committed: the answer says how a retry finds out. So is Npgsql refusing a transaction or connection that a restart
    /// took away before the request's next statement (<see cref="LostToARestart"/>): the faults probe's PostgreSQL restart made
    /// a step a 500 "Transaction is already completed".
    /// </summary>
    public static bool Is(Exception? exception) =>
        exception.Wraps(failure => failure is NpgsqlException { IsTransient: true } || (failure is InvalidOperationException { Source: "Npgsql" } lost && LostToARestart.Contains(lost.Message)));

    /// <summary>What Npgsql says of a transaction or connection it found gone (broken, its transaction ended) when a statement is sent on it.</summary>
    public static readonly IReadOnlySet<string> LostToARestart = new HashSet<string>(StringComparer.Ordinal) { "Transaction is already completed", "Connection is not open" };
}
