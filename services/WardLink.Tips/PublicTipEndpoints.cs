using System.ComponentModel.DataAnnotations;
using Marten;
using WardLink.Contracts;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Idempotency;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;

namespace WardLink.Tips;

/// <summary>A tip from the public: no account, no channel to choose (web), received now.</summary>
public sealed record PublicTipRequest(SecurityCategory? Category, [property: MaxLength(Tip.MaxDescriptionLength)] string? Description, Place? Place, ContactDetails? Contact = null);

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
            .WithWardParameter("The ward the tip is for (any ward the service knows, else 404; one merged by now stands for the ward it was merged into); left out: the deployment's home ward.")
            .Produces<FollowUpCredentials>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        tips.MapGet("/{code}", Status)
            .WithName("GetPublicTipStatus")
            .InNoWard()
            .WithSummary($"The tip's public status, in whichever ward it is; the secret goes in the {FollowUp.SecretHeader} header.")
            .WithHeader(FollowUp.Secret)
            .Produces<PublicTipStatus>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        tips.MapGet("/{code}/messages", Messages)
            .WithName("GetPublicTipMessages")
            .InNoWard()
            .WithHeader(FollowUp.Secret)
            .Produces<IReadOnlyList<PublicMessage>>()
            .WithMaxItems(DocumentedBounds.AnyCount)
            .ProducesProblem(StatusCodes.Status404NotFound);
        tips.MapPost("/{code}/messages", Post)
            .WithName("PostPublicTipMessage")
            .InNoWard()
            .WithHeader(FollowUp.Secret)
            .WithSummary("Write to the police about the tip. No If-Match is read and no ETag answered: the tip's version would tell how often it was acted on. At most 20 messages in a row await the police's reply: the next is a 409 until they answer. A retry with the same Idempotency-Key and text posts nothing.")
            .WithIdempotentStep()
            .Produces<IReadOnlyList<PublicMessage>>()
            .WithMaxItems(DocumentedBounds.AnyCount)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return endpoints;
    }

    /// <summary>A tip recorded in the request's ward (<c>ward=</c>, else the home ward), received now.</summary>
    private static async Task<IResult> Submit(
        PublicTipRequest request,
        HttpContext http,
        NumberedRecords records,
        ISessionFactory sessions,
        WardTenants wards,
        ContactVault vault,
        TimeProvider clock,
        CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var command = new ReceiveTip(TipChannel.Web, request.Category, request.Description, request.Place, now, request.Contact) { TipId = Guid.CreateVersion7(), ReceivedNow = true };
        var (credentials, access) = FollowUp.Issue(command.TipId);
        if ((await records.RecordAsync(sessions, wards, command, http.Ward().Access, access, vault, now, TipsterActor, ct)).Rejection is { } rejection)
        {
            return rejection.ToProblem();
        }

        http.KeepsRecord(command.TipId);
        return Results.Created($"{http.Request.PathBase}/public/tips/{credentials.Code}", credentials);
    }

    private static Task<IResult> Status(
        [MaxLength(FollowUp.CodeLength)] string code, HttpContext http, ISessionFactory sessions, WardDatabases databases, CancellationToken ct) =>
        FollowUpAsync(
            code,
            http,
            sessions,
            databases,
            (tip, _) => Task.FromResult(Results.Ok(new PublicTipStatus(code.ToUpperInvariant(), tip.Status, tip.Category, tip.ReceivedAt, tip.Messages.Count))),
            ct);

    private static Task<IResult> Messages(
        [MaxLength(FollowUp.CodeLength)] string code, HttpContext http, ISessionFactory sessions, WardDatabases databases, CancellationToken ct) =>
        FollowUpAsync(code, http, sessions, databases, (tip, _) => Task.FromResult(Results.Ok(Public(tip))), ct);

    private static Task<IResult> Post(
        [MaxLength(FollowUp.CodeLength)] string code,
        PostTipMessage request,
        HttpContext http,
        ISessionFactory sessions,
        WardDatabases databases,
        SealingKey sealing,
        TimeProvider clock,
        CancellationToken ct) =>
        http.WithKeyKeptInStream(
            TipsterActor,
            sealing,
            key => FollowUpAsync(
                code,
                http,
                sessions,
                databases,
                (tip, session) => session.AppendToStreamAsync<TipState>(
                    http,
                    tip.Id,
                    TipEndpoints.What,
                    current => Tip.PostMessage(current, request with { MessageId = Guid.CreateVersion7(), Author = MessageAuthor.Tipster, Key = key }, clock.GetUtcNow(), TipsterActor),
                    ct,
                    updated => Results.Ok(Public(updated)),
                    versioned: false),
                ct));

    /// <summary>
    /// Finds the tip a follow-up code and secret open, in whichever ward it is, and answers what
    /// <paramref name="answer"/> makes of it, acting in the tip's ward (the session it is given, and
    /// any opened meanwhile, are there); an unknown code and a wrong secret get the same 404.
    /// </summary>
    private static async Task<IResult> FollowUpAsync(
        string code, HttpContext http, ISessionFactory sessions, WardDatabases databases, Func<TipState, IDocumentSession, Task<IResult>> answer, CancellationToken ct)
    {
        if (await databases.FindTipAsync(code, http.Request.Headers[FollowUp.SecretHeader].FirstOrDefault(), ct) is not { } tip)
        {
            return Unknown();
        }

        // A tipster's message takes its turn with the police acting on the tip at that moment (StreamResults): a 409 would
        // lose the message and tell the tipster the police were at work.
        using (WardContext.Enter(databases.WardOfTenant(tip.Tenant)))
        {
            await using var session = sessions.OpenSession();
            return (await session.LoadStreamAsync<TipState>(tip.TipId, ct)).State is { } state ? await answer(state, session) : Unknown();
        }
    }

    private static List<PublicMessage> Public(TipState tip) => [.. tip.Messages.Select(message => new PublicMessage(message.Author, message.Text, message.PostedAt))];

    private static IResult Unknown() =>
        Results.Problem(title: "No tip matches this follow-up code and secret.", statusCode: StatusCodes.Status404NotFound);
}
