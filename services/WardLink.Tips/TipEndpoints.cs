using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using WardLink.ServiceDefaults;

namespace WardLink.Tips;

public sealed record ReceiveTipRequest(
    TipChannel? Channel,
    TipCategory? Category,
    string? Description,
    TipPlace? Place,
    DateTimeOffset? ReceivedAt);

public static class TipEndpoints
{
    public static IEndpointRouteBuilder MapTipEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var tips = endpoints.MapGroup("/tips").WithTags("Tips");
        tips.MapPost("/", Receive)
            .WithName("ReceiveTip")
            .WithSummary("Record a tip received through any channel.")
            .Produces<TipState>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        tips.MapGet("/{id:guid}", Get)
            .WithName("GetTip")
            .WithSummary("A tip's current state; the ETag is its stream version.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<IResult> Receive(
        ReceiveTipRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var command = new ReceiveTip(
            Guid.CreateVersion7(),
            request.Channel,
            request.Category,
            request.Description,
            request.Place,
            request.ReceivedAt,
            http.Actor());
        var decision = Tip.Receive(null, command, clock.GetUtcNow());
        if (decision.Rejection is { } rejection)
        {
            return rejection.ToProblem();
        }

        session.Events.StartStream<TipState>(command.TipId, decision.Events);
        await session.SaveChangesAsync(ct);

        var state = await session.Events.AggregateStreamAsync<TipState>(command.TipId, token: ct);
        http.Response.SetETag(decision.Events.Count);
        return TypedResults.Created($"{http.Request.PathBase}/tips/{command.TipId}", state);
    }

    private static async Task<Results<Ok<TipState>, ProblemHttpResult>> Get(
        Guid id, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var stream = await session.Events.FetchStreamStateAsync(id, ct);
        var tip = stream is null ? null : await session.Events.AggregateStreamAsync<TipState>(id, stream.Version, token: ct);
        if (stream is null || tip is null)
        {
            return TypedResults.Problem(title: $"Tip {id} was not found.", statusCode: StatusCodes.Status404NotFound);
        }

        http.Response.SetETag(stream.Version);
        return TypedResults.Ok(tip);
    }
}
