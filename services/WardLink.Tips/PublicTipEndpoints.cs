using System.ComponentModel.DataAnnotations;
using Marten;
using WardLink.Contracts;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Idempotency;
using WardLink.ServiceDefaults;

namespace WardLink.Tips;

/// <summary>A tip from the public: no account, no channel to choose (web), received now.</summary>
public sealed record PublicTipRequest(SecurityCategory? Category, [property: MaxLength(Tip.MaxDescriptionLength)] string? Description, Place? Place, ContactDetails? Contact);

/// <summary>What the tipster sees of their tip: never who assessed it, nor how.</summary>
public sealed record PublicTipStatus(
    [property: MinLength(FollowUp.CodeLength), MaxLength(FollowUp.CodeLength)] string Code,
    TipStatus Status,
    SecurityCategory Category,
    DateTimeOffset ReceivedAt,
    [property: Range(0, DocumentedBounds.AnyCount)] int Messages);

public sealed record PublicMessage(MessageAuthor Author, [property: MaxLength(Tip.MaxMessageLength)] string Text, DateTimeOffset PostedAt);

/// <summary>
/// Anonymous intake and follow-up (<c>/public/tips</c>, through the gateway <c>/api/public/tips</c>).
/// The follow-up code and secret are the only key: an unknown code and a wrong secret get the same
/// 404, and nothing here names a police officer or echoes the tipster's contact.
/// </summary>
public static class PublicTipEndpoints
{
    public const string TipsterActor = "tipster";

    public static IEndpointRouteBuilder MapPublicTipEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var tips = endpoints.MapGroup("/public/tips").WithTags("Public tips").AllowAnonymous();
        tips.MapPost("/", Submit)
            .WithName("SubmitPublicTip")
            .WithSummary("Submit a tip anonymously; the answer holds the follow-up code and secret (shown once).")
            .WithIdempotency(sealAnswer: true)
            .Produces<FollowUpCredentials>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        tips.MapGet("/{code}", Status)
            .WithName("GetPublicTipStatus")
            .WithSummary($"The tip's public status; the secret goes in the {FollowUp.SecretHeader} header.")
            .Produces<PublicTipStatus>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        tips.MapGet("/{code}/messages", Messages)
            .WithName("GetPublicTipMessages")
            .Produces<IReadOnlyList<PublicMessage>>()
            .WithMaxItems(DocumentedBounds.AnyCount)
            .ProducesProblem(StatusCodes.Status404NotFound);
        tips.MapPost("/{code}/messages", Post)
            .WithName("PostPublicTipMessage")
            .WithSummary("Write to the police about the tip.")
            .Produces<IReadOnlyList<PublicMessage>>()
            .WithMaxItems(DocumentedBounds.AnyCount)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<IResult> Submit(
        PublicTipRequest request, HttpContext http, NumberedRecords records, ISessionFactory sessions, ContactVault vault, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var command = new ReceiveTip(TipChannel.Web, request.Category, request.Description, request.Place, now, request.Contact) { TipId = Guid.CreateVersion7() };
        var (credentials, access) = FollowUp.Issue(command.TipId);
        return (await records.RecordAsync(sessions, command, access, vault, now, TipsterActor, ct)).Rejection is { } rejection
            ? rejection.ToProblem()
            : Results.Created($"{http.Request.PathBase}/public/tips/{credentials.Code}", credentials);
    }

    private static async Task<IResult> Status([MaxLength(FollowUp.CodeLength)] string code, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var tip = await session.LoadFollowedUpAsync(code, http, ct);
        return tip is null
            ? Unknown()
            : Results.Ok(new PublicTipStatus(code.ToUpperInvariant(), tip.Status, tip.Category, tip.ReceivedAt, tip.Messages.Count));
    }

    private static async Task<IResult> Messages([MaxLength(FollowUp.CodeLength)] string code, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var tip = await session.LoadFollowedUpAsync(code, http, ct);
        return tip is null ? Unknown() : Results.Ok(Public(tip));
    }

    private static async Task<IResult> Post(
        [MaxLength(FollowUp.CodeLength)] string code, PostTipMessage request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var tip = await session.LoadFollowedUpAsync(code, http, ct);
        if (tip is null)
        {
            return Unknown();
        }

        return await session.AppendToStreamAsync<TipState>(
            http,
            tip.Id,
            TipEndpoints.What,
            current => Tip.PostMessage(current, request with { MessageId = Guid.CreateVersion7(), Author = MessageAuthor.Tipster }, clock.GetUtcNow(), TipsterActor),
            ct,
            updated => Results.Ok(Public(updated)));
    }

    private static async Task<TipState?> LoadFollowedUpAsync(this IQuerySession session, string code, HttpContext http, CancellationToken ct) =>
        await session.FindTipAsync(code, http.Request.Headers[FollowUp.SecretHeader].FirstOrDefault(), ct) is { } tipId
            ? (await session.LoadStreamAsync<TipState>(tipId, ct)).State
            : null;

    private static List<PublicMessage> Public(TipState tip) => [.. tip.Messages.Select(message => new PublicMessage(message.Author, message.Text, message.PostedAt))];

    private static IResult Unknown() =>
        Results.Problem(title: "No tip matches this follow-up code and secret.", statusCode: StatusCodes.Status404NotFound);
}
