using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using WardLink.Domain;
using WardLink.ServiceDefaults;

namespace WardLink.EventSourcing;

/// <summary>The one shape of every step on a stream addressed by <c>{id}</c>, in every service.</summary>
public static class StreamSteps
{
    /// <summary>
    /// Maps one step: <c>POST</c> with a body, under <c>If-Match</c>, deciding on the stream's
    /// current state with the time and the actor (see <see cref="StreamResults.AppendToStreamAsync{TState}"/>).
    /// The body is required (a generic parameter alone reads as optional): <see cref="RequestChecks"/>
    /// refuses a missing or null one, and the OpenAPI document says so.
    /// </summary>
    public static RouteHandlerBuilder MapStreamStep<TState, TRequest>(
        this RouteGroupBuilder group, string pattern, string what, string name, string summary, Func<TState, TRequest, DateTimeOffset, string, Decision> decide)
        where TState : class
        where TRequest : class =>
        group.MapStreamStep<TState, TRequest>(pattern, what, name, summary, (state, request, now, actor, _) => decide(state, request, now, actor));

    /// <summary>As the step above, for a decision that also reads the request (the caller's wards, say).</summary>
    public static RouteHandlerBuilder MapStreamStep<TState, TRequest>(
        this RouteGroupBuilder group, string pattern, string what, string name, string summary, Func<TState, TRequest, DateTimeOffset, string, HttpContext, Decision> decide)
        where TState : class
        where TRequest : class =>
        group.MapPost(pattern, (Guid id, TRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
                session.AppendToStreamAsync<TState>(http, id, what, state => decide(state, request, clock.GetUtcNow(), http.Actor(), http), ct))
            .Accepts<TRequest>("application/json")
            .DescribeStreamStep<TState>(name, summary);

    /// <summary>The OpenAPI description every step shares: the new state, or the problems a step can give.</summary>
    public static RouteHandlerBuilder DescribeStreamStep<TState>(this RouteHandlerBuilder step, string name, string summary)
        where TState : class => step
        .WithName(name)
        .WithSummary(summary)
        .WithStateView<TState>(StatusCodes.Status200OK)
        .ProducesValidationProblem()
        .ProducesStepProblems();

    /// <summary>
    /// What a step on a record (<see cref="StreamResults.AppendToStreamAsync"/>) reads besides its body, its <c>If-Match</c> and
    /// <c>If-None-Match</c>, and may answer besides its success: no such record (404), refused (409: steps at once take turns, so never a
    /// lost race), a stale <c>If-Match</c> or an <c>If-None-Match</c> naming its version (412);
    /// its success and its 412 carry the record's version as ETag.
    /// </summary>
    public static RouteHandlerBuilder ProducesStepProblems(this RouteHandlerBuilder step) => step
        .WithHeader(HttpResults.IfMatch)
        .WithHeader(HttpResults.IfNoneMatch)
        .WithETag()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed);

    /// <summary>Documents an answer of <paramref name="status"/> as the police view of <typeparamref name="TState"/> (see <see cref="StateViews"/>).</summary>
    public static RouteHandlerBuilder WithStateView<TState>(this RouteHandlerBuilder endpoint, int status)
        where TState : class
    {
        endpoint.Add(built => built.Metadata.Add(new ProducesResponseTypeMetadata(
            status, built.ApplicationServices.GetRequiredService<StateViews>().DocumentedType<TState>(), ["application/json"])));
        return endpoint;
    }
}
