using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Idempotency;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Partners;

/// <summary>Redeliver everything a webhook was sent, or held, since a time; the request body of <c>POST /partners/{id}/webhooks/{webhookId}/replay</c>.</summary>
public sealed record ReplayRequest(DateTimeOffset? Since);

/// <summary>How many deliveries are due again; <paramref name="MoreFrom"/>: where to replay from for the rest, when there were more than one replay takes.</summary>
public sealed record ReplayAnswer([property: Range(0, WebhookEndpoints.MaxReplay)] int Replayed, DateTimeOffset? MoreFrom);

/// <summary>
/// A partner's webhook subscriptions, under <c>/partners/{id}/webhooks</c>: a partner client
/// manages only its own partner's (another partner's are 404s, as if they did not exist), the
/// police any partner's. The delivery log and replays are documents beside the stream.
/// </summary>
public static class WebhookEndpoints
{
    /// <summary>The most deliveries one replay makes due again.</summary>
    public const int MaxReplay = 1000;

    /// <summary>The most deliveries one page of the log holds.</summary>
    public const int MaxDeliveriesPage = 200;

    /// <summary>A page's size when a request names none, as the document states it (<c>default</c>).</summary>
    public const int DefaultDeliveriesPage = MaxDeliveriesPage / 4;

    /// <summary>What the document says of every step on a webhook but its deletion once its partner has left (<see cref="Partner.UnlessLeft"/>).</summary>
    private const string RefusedOnceLeft = " Once the partner has left the linkage, a 409 that changes nothing.";

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var webhooks = endpoints.MapGroup("/partners/{id:guid}/webhooks")
            .WithTags("Webhooks")
            .RequireAuthorization(WardLinkPolicies.PoliceOrPartner)
            .AddEndpointFilter(OwnPartnerOnly);
        webhooks.MapPost("/", Subscribe)
            .WithName("SubscribeWebhook")
            .WithSummary($"Subscribe an endpoint (https; no control, invisible or space characters in its address, its host in ASCII) to events about the partner's sites and submissions; the answer shows the signing secret, once. At most {Webhook.MaxPerPartner} per partner.")
            .WithIdempotency(sealAnswer: true)
            .WithETag()
            .Produces<WebhookWithSecret>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        webhooks.MapGet("/", List)
            .WithName("ListWebhooks")
            .WithSummary("The partner's webhooks, oldest first; 404 for an unknown partner.")
            .WithMaxItems(Webhook.MaxPerPartner);
        webhooks.MapGet("/{webhookId:guid}", Get)
            .WithName("GetWebhook")
            .WithETag()
            .Produces<WebhookView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapPut("/{webhookId:guid}", Change)
            .DescribeStreamStep<WebhookState>("ChangeWebhook", "Change a webhook's endpoint (checked as when subscribing), events and description (all of them)." + RefusedOnceLeft);
        webhooks.MapPost("/{webhookId:guid}/rotate-secret", RotateSecret)
            .WithName("RotateWebhookSecret")
            .WithSummary($"Issue a new signing secret, shown once; each secret it replaces also signs for {Webhook.SecretOverlap.TotalHours:0} hours (every signature is sent meanwhile); a kept secret that does not open (changed in the database, moved from another webhook) signs nothing and is dropped, so a rotation replaces a damaged secret. While {Webhook.MaxReplacedSecrets} replaced secrets still sign, another rotation is a 409.{RefusedOnceLeft}")
            .Produces<WebhookWithSecret>()
            .ProducesStepProblems();
        webhooks.MapPost("/{webhookId:guid}/pause", Pause)
            .DescribeStreamStep<WebhookState>("PauseWebhook", "Pause an active webhook: deliveries wait until it resumes." + RefusedOnceLeft);
        webhooks.MapPost("/{webhookId:guid}/resume", Resume)
            .DescribeStreamStep<WebhookState>("ResumeWebhook", "Resume a paused webhook, or one disabled after failed deliveries; what waited is sent." + RefusedOnceLeft);
        webhooks.MapDelete("/{webhookId:guid}", Delete)
            .WithName("DeleteWebhook")
            .WithSummary("Delete a webhook: nothing more is queued or taken up for sending (an attempt already under way ends as it would). Open once the partner has left the linkage too: its data may still be removed.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesStepProblems();
        webhooks.MapGet("/{webhookId:guid}/deliveries", Deliveries)
            .WithName("ListWebhookDeliveries")
            .WithSummary($"The webhook's delivery log, newest first: each delivery's attempts (time, status, duration, the start of the answer); filter by status. {PageRequest.Limits}");
        webhooks.MapPost("/{webhookId:guid}/deliveries/{deliveryId:guid}/replay", ReplayOne)
            .WithName("ReplayWebhookDelivery")
            .WithSummary("Send one delivery again (same webhook-id), with a fresh retry window; one still pending (queued, waiting for its next attempt or being sent) is left as it is. 409 while the partner is suspended or once it has left: nothing is sent to it.")
            .Produces<WebhookDeliveryView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        webhooks.MapPost("/{webhookId:guid}/replay", ReplaySince)
            .WithName("ReplayWebhookDeliveries")
            .WithSummary($"Send again every delivery queued since a time (at most {MaxReplay}, oldest first), each with a fresh retry window. 409 while the partner is suspended or once it has left: nothing is sent to it.")
            .Produces<ReplayAnswer>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return endpoints;
    }

    /// <summary>A partner client reaches only its own partner's webhooks; another partner's answer 404, as if they did not exist.</summary>
    private static async ValueTask<object?> OwnPartnerOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        return http.PartnerId() is { } own && Guid.TryParse(http.Request.RouteValues["id"]?.ToString(), out var partnerId) && partnerId != own
            ? StreamResults.NotFound(Partner.What, partnerId)
            : await next(context);
    }

    private static async Task<IResult> Subscribe(
        Guid id, WebhookRequest request, HttpContext http, IDocumentSession session, WebhookSecrets secrets, WebhookTargetPolicy targets, TimeProvider clock, CancellationToken ct)
    {
        // In the partner's turn: two subscriptions at once cannot both find room for one more, nor one follow its leave.
        var partner = await session.PartnerInTurnAsync(id, ct);
        var existing = await session.Query<WebhookState>().CountAsync(webhook => webhook.PartnerId == id && webhook.Status != WebhookStatus.Deleted, ct);
        var command = new SubscribeWebhook(Guid.CreateVersion7(), id, partner, existing, request, targets.AllowLocalTargets);
        var decision = Webhook.Subscribe(null, command, clock.GetUtcNow(), http.Actor());
        var secret = WebhookSecrets.NewSecret();
        session.Insert(secrets.Issue(command.WebhookId, secret));
        http.KeepsRecord(command.WebhookId);
        return await session.StartStreamAsync<WebhookState>(
            http, command.WebhookId, decision, $"/partners/{id}/webhooks/{command.WebhookId}", ct, webhook => new WebhookWithSecret(WebhookView.Of(webhook, http.Ward().Ward.Id), secret));
    }

    private static async Task<Results<Ok<IReadOnlyList<WebhookView>>, ProblemHttpResult>> List(Guid id, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        if (await session.StreamOfAsync<PartnerState>(id, ct) is null)
        {
            return StreamResults.NotFound(Partner.What, id);
        }

        var webhooks = await session.Query<WebhookState>()
            .Where(webhook => webhook.PartnerId == id && webhook.Status != WebhookStatus.Deleted)
            .OrderBy(webhook => webhook.CreatedAt)
            .ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<WebhookView>>([.. webhooks.Select(webhook => WebhookView.Of(webhook, http.Ward().Ward.Id))]);
    }

    private static async Task<IResult> Get(Guid id, Guid webhookId, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var (webhook, version) = await session.LoadStreamAsync<WebhookState>(webhookId, ct);
        if (webhook is null || !webhook.IsLiveOf(id))
        {
            return StreamResults.NotFound(Webhook.What, webhookId);
        }

        http.Response.SetETag(version);
        return Results.Ok(WebhookView.Of(webhook, http.Ward().Ward.Id));
    }

    private static Task<IResult> Change(
        Guid id, Guid webhookId, WebhookRequest request, HttpContext http, IDocumentSession session, WebhookTargetPolicy targets, TimeProvider clock, CancellationToken ct) =>
        Step(http, session, id, webhookId, webhook => Webhook.Change(webhook, new ChangeWebhook(id, request, targets.AllowLocalTargets), clock.GetUtcNow(), http.Actor()), ct);

    private static async Task<IResult> RotateSecret(
        Guid id, Guid webhookId, HttpContext http, IDocumentSession session, WebhookSecrets secrets, TimeProvider clock, CancellationToken ct)
    {
        var secret = WebhookSecrets.NewSecret();

        // A rotation sent again while the first is under way keeps the secret the first issued: it reads the secrets (and the
        // time its secret's overlap starts from) once the first has committed.
        await session.TakeTurnAsync(Webhook.SecretsTurnOf(webhookId), ct);
        var now = clock.GetUtcNow();
        var rotated = secrets.Rotate(await session.LoadSealedAsync<WebhookSecret>(webhookId, ct), secret, now, now + Webhook.SecretOverlap);
        if (rotated is not null)
        {
            session.Store(rotated);
        }

        // The secrets it replaced that still sign and open, the one it replaced now among them: those that do not open are dropped.
        var command = new RotateWebhookSecret(id, rotated is { Replaced: { } replaced } ? replaced.Count - 1 : 0);
        return await Step(
            http, session, id, webhookId, webhook => Webhook.RotateSecret(webhook, command, now, http.Actor()), ct,
            webhook => Results.Ok(new WebhookWithSecret(WebhookView.Of(webhook, http.Ward().Ward.Id), secret)));
    }

    private static Task<IResult> Pause(Guid id, Guid webhookId, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        Step(http, session, id, webhookId, webhook => Webhook.Pause(webhook, new WebhookStep(id), clock.GetUtcNow(), http.Actor()), ct);

    /// <summary>
    /// Resumes the webhook and, in the same transaction, makes what was held while it was stopped due again: not what its partner's
    /// suspension or leaving holds, which stays held (a replay sends it once the partner is resumed).
    /// </summary>
    private static async Task<IResult> Resume(
        Guid id, Guid webhookId, HttpContext http, IDocumentSession session, IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken ct)
    {
        await session.TakeTurnAsync(Webhook.DeliveriesTurnOf(webhookId), ct);
        var now = clock.GetUtcNow();
        var held = await session.Query<WebhookDelivery>().Where(delivery => delivery.WebhookId == webhookId && delivery.Status == DeliveryStatus.Held).ToListAsync(ct);
        foreach (var delivery in held.Where(delivery => delivery.IsHeldForItsWebhook))
        {
            session.Store(delivery.Requeued(now, options.Value.Schedule, "Sent again: the webhook resumed."));
        }

        return await Step(http, session, id, webhookId, webhook => Webhook.Resume(webhook, new WebhookStep(id), now, http.Actor()), ct);
    }

    /// <summary>
    /// A deleted webhook signs nothing again: its sealed secrets are removed with the step, in its transaction, so the table keeps
    /// none of a subscription that is gone, and so is the kept answer of its keyed subscription, which showed the secret to a retry
    /// for its 24 hours (a step refused, another partner's or a webhook deleted before, saves nothing and removes nothing).
    /// </summary>
    private static Task<IResult> Delete(Guid id, Guid webhookId, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        session.Delete<WebhookSecret>(webhookId);
        IdempotencyStore.ForgetAnswersOf(session, webhookId);
        return session.AppendToStreamAsync<WebhookState>(
            http, webhookId, Webhook.What, webhook => Webhook.Delete(webhook, new WebhookStep(id), clock.GetUtcNow(), http.Actor()), ct, _ => Results.NoContent());
    }

    private static async Task<Results<Ok<ListPage<WebhookDeliveryView>>, ValidationProblem, ProblemHttpResult>> Deliveries(
        Guid id,
        Guid webhookId,
        IQuerySession session,
        [EnumOf(typeof(DeliveryStatus))] string? status,
        [Range(1, MaxDeliveriesPage), DefaultValue(DefaultDeliveriesPage)] int? limit,
        [Range(1, PageRequest.MaxPage), DefaultValue(PageRequest.FirstPage)] int? page,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        var paging = PageRequest.Read(limit, page, DefaultDeliveriesPage, MaxDeliveriesPage, errors);
        var wanted = errors.ParseEnum<DeliveryStatus>(status, "status");
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToRejection().Errors!);
        }

        if ((await session.LoadStreamAsync<WebhookState>(webhookId, ct)).State is not { } webhook || !webhook.IsLiveOf(id))
        {
            return StreamResults.NotFound(Webhook.What, webhookId);
        }

        var deliveries = session.Query<WebhookDelivery>()
            .Where(delivery => delivery.WebhookId == webhookId)
            .WhereGiven(wanted, statusFilter => delivery => delivery.Status == statusFilter);
        var found = await deliveries.OrderByDescending(delivery => delivery.QueuedAt).ThenByDescending(delivery => delivery.Id).ToListPageAsync(paging, ct);
        return TypedResults.Ok(found.Select(WebhookDeliveryView.Of));
    }

    /// <summary>
    /// The sender records its attempts on a delivery meanwhile, under optimistic concurrency: a replay that lost the race reads
    /// the delivery again. A replay takes the turn a resume takes (<see cref="Webhook.DeliveriesTurnOf"/>): the two would both
    /// make a held delivery due, and the one that lost would be a 409. A delivery still pending (queued, waiting for its next attempt, or in mid-send) is left as it is: it
    /// goes out anyway, and made due at once it could be sent a second time while an attempt is under way.
    /// </summary>
    private static Task<IResult> ReplayOne(
        Guid id, Guid webhookId, Guid deliveryId, ISessionFactory sessions, IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken ct) =>
        sessions.RetryOnConflictAsync(
            async session =>
            {
                await session.TakeTurnAsync(Webhook.DeliveriesTurnOf(webhookId), ct);
                var delivery = await session.LoadAsync<WebhookDelivery>(deliveryId, ct);
                var webhook = (await session.LoadStreamAsync<WebhookState>(webhookId, ct)).State;
                if (delivery is null || delivery.WebhookId != webhookId || webhook?.IsLiveOf(id) != true)
                {
                    return Results.Problem(title: $"Delivery {deliveryId} of webhook {webhookId} was not found.", statusCode: StatusCodes.Status404NotFound);
                }

                if (await RefusedOutOfStandingAsync(session, id, ct) is { } refused)
                {
                    return refused;
                }

                if (delivery.Status == DeliveryStatus.Pending)
                {
                    return Results.Accepted(value: WebhookDeliveryView.Of(delivery));
                }

                var replayed = Replayed(delivery, webhook, clock.GetUtcNow(), options.Value.Schedule);
                session.Store(replayed);
                await session.SaveChangesAsync(ct);
                return Results.Accepted(value: WebhookDeliveryView.Of(replayed));
            },
            ct);

    /// <summary>Replays what is not pending, as <see cref="ReplayOne"/> does, in the same turn; one the sender changed meanwhile is read again.</summary>
    private static async Task<IResult> ReplaySince(
        Guid id, Guid webhookId, ReplayRequest request, ISessionFactory sessions, IOptions<WebhookOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var errors = new FieldErrors()
            .Check(request.Since is not null, "since", "Say from when (ISO-8601 with offset).")
            .CheckPast(request.Since, "since", now);
        return await sessions.RetryOnConflictAsync(
            async session =>
            {
                await session.TakeTurnAsync(Webhook.DeliveriesTurnOf(webhookId), ct);
                var webhook = (await session.LoadStreamAsync<WebhookState>(webhookId, ct)).State;
                if (webhook?.IsLiveOf(id) != true)
                {
                    return StreamResults.NotFound(Webhook.What, webhookId);
                }

                // A webhook the caller has is found first (a 404 whatever the body), then the body judged, then the partner's standing.
                if (errors.Any)
                {
                    return errors.ToRejection().ToProblem();
                }

                if (await RefusedOutOfStandingAsync(session, id, ct) is { } refused)
                {
                    return refused;
                }

                var since = request.Since!.Value;
                var deliveries = await session.Query<WebhookDelivery>()
                    .Where(delivery => delivery.WebhookId == webhookId && delivery.QueuedAt >= since && delivery.Status != DeliveryStatus.Pending)
                    .OrderBy(delivery => delivery.QueuedAt)
                    .Take(MaxReplay + 1)
                    .ToListAsync(ct);
                foreach (var delivery in deliveries.Take(MaxReplay))
                {
                    session.Store(Replayed(delivery, webhook, now, options.Value.Schedule));
                }

                await session.SaveChangesAsync(ct);
                return Results.Accepted(value: new ReplayAnswer(Math.Min(deliveries.Count, MaxReplay), deliveries.Count > MaxReplay ? deliveries[MaxReplay].QueuedAt : null));
            },
            ct);
    }

    /// <summary>
    /// A replay for a partner suspended or gone is a 409 that changes nothing: the sender sends such a partner nothing, so the
    /// deliveries it made due would only be held again (the delivered among them shown held); a suspended partner's are sent
    /// by a replay once it is resumed, a partner that left is sent nothing again.
    /// </summary>
    private static async Task<IResult?> RefusedOutOfStandingAsync(IQuerySession session, Guid partnerId, CancellationToken ct) =>
        await session.LoadAsync<PartnerState>(partnerId, ct) is { } partner && !PartnerStanding.InGoodStanding(partner)
            ? Results.Problem(
                title: partner.Status == PartnerStatus.Left
                    ? $"Partner {partnerId} has left the linkage: nothing is sent to its webhooks again."
                    : $"Partner {partnerId} is suspended: nothing is sent to its webhooks while so.",
                detail: partner.Status == PartnerStatus.Left ? "Nothing was changed." : "Nothing was changed: resume the partner, then replay.",
                statusCode: StatusCodes.Status409Conflict)
            : null;

    /// <summary>
    /// A delivery replayed: due again at once for a fresh retry window, or, while its webhook is paused or disabled, held for the
    /// resume to send (it was answered "pending" and held by the sender a moment later: the answer and the log say so at once).
    /// </summary>
    private static WebhookDelivery Replayed(WebhookDelivery delivery, WebhookState webhook, DateTimeOffset now, RetrySchedule schedule)
    {
        var replayed = delivery.Requeued(now, schedule, $"Replayed on request at {now:O}.");
        return webhook.Status == WebhookStatus.Active ? replayed : replayed.HeldUntilResumed();
    }

    /// <summary>
    /// A step on webhook <paramref name="webhookId"/> of partner <paramref name="partnerId"/>, decided in the partner's turn
    /// (<see cref="Partner.RecordsTurnOf"/>) as <paramref name="decide"/> finds, unless the partner has left
    /// (<see cref="Partner.UnlessLeft"/>): a webhook of a partner that left changes no more, as a subscription for it is refused.
    /// Only a deletion is not taken so: the data of a partner that left may still be removed.
    /// </summary>
    private static async Task<IResult> Step(
        HttpContext http, IDocumentSession session, Guid partnerId, Guid webhookId, Func<WebhookState, Decision> decide, CancellationToken ct, Func<WebhookState, IResult>? respond = null)
    {
        var partner = await session.PartnerInTurnAsync(partnerId, ct);
        return await session.AppendToStreamAsync<WebhookState>(http, webhookId, Webhook.What, webhook => partner.UnlessLeft(decide(webhook)), ct, respond);
    }
}
