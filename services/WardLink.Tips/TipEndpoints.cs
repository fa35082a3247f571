using Marten;
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
            .Produces<TipState>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static Task<IResult> Receive(
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
        return session.StartStreamAsync<TipState>(http, command.TipId, Tip.Receive(null, command, clock.GetUtcNow()), $"/tips/{command.TipId}", ct);
    }

    private static Task<IResult> Get(Guid id, HttpContext http, IQuerySession session, CancellationToken ct) =>
        session.ReadStreamAsync<TipState>(http, id, "Tip", ct);
}
