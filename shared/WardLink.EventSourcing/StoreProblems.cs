using JasperFx;
using Marten.Exceptions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using WardLink.Domain;
using WardLink.ServiceDefaults;

namespace WardLink.EventSourcing;

/// <summary>
/// The store's exceptions a client can act on, as problem details: a page deeper than a list of wards
/// in several databases pages is a 400, a lost optimistic concurrency race or a stream that already
/// exists a 409, a record whose turn did not come (a step behind a stuck one) and PostgreSQL being down a 503 with <c>Retry-After</c>. Anything else is left to the next handler (a 500).
/// </summary>
internal sealed class StoreProblems(IProblemDetailsService problems) : IExceptionHandler
{
    public ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken) =>
        problems.TryAnswerAsync(httpContext, exception, exception switch
        {
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
            _ when IsBusy(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The record is busy with other changes.",
                Detail = $"Nothing was changed: its turn did not come within {StreamResults.TurnTimeout.TotalSeconds:0} seconds. Retry in {ProblemResponses.RetryAfterSeconds} seconds.",
            },
            _ when IsDatabaseOutage(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The database (PostgreSQL) is unavailable.",
                Detail = $"A connection lost at the commit leaves unknown whether the request was stored: in {ProblemResponses.RetryAfterSeconds} seconds, "
                    + ProblemResponses.RetryRecognised,
            },
            _ => null,
        });

    /// <summary>Whether <paramref name="exception"/> (or what it wraps) is a lock not granted within the statement's <c>lock_timeout</c> (a step's turn).</summary>
    private static bool IsBusy(Exception? exception) => exception.Wraps(failure => failure is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable });

    /// <summary>
    /// Whether <paramref name="exception"/> (or what it wraps) is PostgreSQL being unreachable or
    /// going away (refused, reset, shutting down, out of connections): Npgsql calls those transient.
    /// A transaction it interrupted is all or nothing, but one lost while its commit's answer was on the way may have
    /// committed: the answer says how a retry finds out.
    /// </summary>
    internal static bool IsDatabaseOutage(Exception? exception) => exception.Wraps(failure => failure is NpgsqlException { IsTransient: true });
}
