using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Marten;
using WardLink.Contracts.Tips;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Idempotency;
using WardLink.EventSourcing.Sites;
using WardLink.EventSourcing.Wards;
using WardLink.ServiceDefaults;
using WardLink.ServiceDefaults.Security;

namespace WardLink.Tips;

public static class TipEndpoints
{
    public const int MaxPageSize = 200;

    /// <summary>A page's size when a request names none, as the document states it (<c>default</c>).</summary>
    public const int DefaultPageSize = 50;

    /// <summary>How problems name a tip.</summary>
    internal const string What = "Tip";

    public static IEndpointRouteBuilder MapTipEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var tips = endpoints.MapGroup("/tips").WithTags("Tips");
        tips.MapPost("/", Receive)
            .WithName("ReceiveTip")
            .WithSummary(
                "Record a tip received through any channel, in a ward, with the ward's next number of the year (TIP-QT-2024-0042); the tipster's contact (optional) is stored encrypted, apart. " +
                "receivedAt: with an offset, from 1970, never in the future, nor from the day the ward was merged or dissolved. A site in place.siteId is one of the ward's.")
            .WithIdempotency()
            .WithETag(toPoliceOnly: true)
            .WithWardParameter(WardParameters.Recorded)
            .Produces<TipPoliceView>(StatusCodes.Status201Created)
            .Produces<TipPartnerView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .RequireAuthorization(WardLinkPolicies.PoliceOrPartner);
        tips.MapGet("/", List)
            .WithName("ListTips")
            .WithSummary($"Tips, newest first, each naming its ward; filter by ward, status, verdict, channel, category, site and received-at range. The police get TipPoliceView items, a partner TipPartnerView items. {WardTime.QueryTimeLimits} {PageRequest.Limits}")
            .WithWardParameter(WardParameters.Listed)
            .Produces<ListPage<TipPoliceView>>()
            .Produces<ListPage<TipPartnerView>>()
            .ProducesValidationProblem()
            .RequireAuthorization(WardLinkPolicies.PoliceOrPartner);
        tips.MapGet("/{id:guid}", Get)
            .WithName("GetTip")
            .WithETag(toPoliceOnly: true)
            .WithSummary("A tip and its history; the ETag is its stream version. The police get TipDetails, a partner TipPartnerDetails (the tip's course, no text). A tip of a ward the caller may not see is a 404.")
            .Produces<TipDetails>()
            .Produces<TipPartnerDetails>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(WardLinkPolicies.PoliceOrPartner);
        tips.MapPost("/{id:guid}/assessments", Assess)
            .WithName("AssessTip")
            .WithSummary("Give (or revise) the verdict: valuable, notValuable, duplicate (of another tip) or prank.")
            .Produces<TipPoliceView>()
            .ProducesValidationProblem()
            .ProducesStepProblems();
        tips.MapPost("/{id:guid}/referral", Refer)
            .WithName("ReferTip")
            .WithSummary("Refer a valuable tip to an existing incident (one the incidents service has reported: else a 400 naming incidentId), or to a new one (incidents hears TipReferred), opened in the tip's ward when the tip came in: a tip that came in on or after its ward's end (merged or dissolved) is a 400 naming incidentId (link it from an incident of another ward).")
            .Produces<TipPoliceView>()
            .ProducesStepProblems();
        tips.MapGet("/{id:guid}/messages", Messages)
            .WithName("GetTipMessages")
            .WithETag()
            .WithSummary("The follow-up thread with the tipster.")
            .Produces<IReadOnlyList<TipMessage>>()
            .WithMaxItems(DocumentedBounds.AnyCount)
            .ProducesProblem(StatusCodes.Status404NotFound);
        tips.MapPost("/{id:guid}/messages", Reply)
            .WithName("ReplyToTipster")
            .WithSummary("Write to the tipster; they read it with their follow-up code. A retry with the same Idempotency-Key and text posts nothing.")
            .WithIdempotentStep()
            .Produces<IReadOnlyList<TipMessage>>()
            .WithMaxItems(DocumentedBounds.AnyCount)
            .ProducesValidationProblem()
            .ProducesStepProblems();
        tips.MapGet("/{id:guid}/contact", ReadContact)
            .WithName("ReadTipsterContact")
            .WithSummary("The tipster's contact, decrypted; every read is recorded (who, when) in the tip's history, so it moves the tip's version (an earlier If-Match is then stale). 404 when there is none: never given, or erased (a read under way when it is erased too, and whatever the tip's snapshot says once its events record an erasure). 409 when it does not open bound to this tip (sealed with another key, moved from another tip, or changed in the database: its stored document unreadable too): nothing is read or recorded.")
            .Produces<ContactDetails>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        tips.MapDelete("/{id:guid}/contact", EraseContact)
            .WithName("EraseTipsterContact")
            .WithSummary("Delete the tipster's contact; the tip and its statistics stay. It deletes the contact's record whenever one is there, without opening it: one that does not open, or one put back after an erasure (erased again), too. 404 when there is none: never given, or already erased (a stale If-Match is a 412 first). An erasure takes its turn with reads of the contact, never a 409.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesStepProblems();
        return endpoints;
    }

    private static async Task<IResult> Receive(
        ReceiveTip request, HttpContext http, NumberedRecords records, ISessionFactory sessions, WardTenants wards, ContactVault vault, TimeProvider clock, CancellationToken ct)
    {
        var command = request with { TipId = Guid.CreateVersion7(), SubmittedByPartner = http.PartnerId() };
        var (rejection, tip) = await records.RecordAsync(sessions, wards, command, http.Ward().Access, null, vault, clock.GetUtcNow(), http.Actor(), ct);
        if (rejection is not null)
        {
            return rejection.ToProblem();
        }

        http.SetCreatedETag();
        http.KeepsRecord(command.TipId);
        return Results.Created($"{http.Request.PathBase}/tips/{command.TipId}", http.ViewOf(tip!));
    }

    private static async Task<IResult> List(
        HttpContext http,
        IQuerySession session,
        WardDatabases databases,
        [EnumOf(typeof(TipStatus))] string? status,
        [EnumOf(typeof(TipVerdict))] string? verdict,
        [EnumOf(typeof(TipChannel))] string? channel,
        [EnumOf(typeof(SecurityCategory))] string? category,
        Guid? siteId,
        DateTimeOffset? receivedFrom,
        DateTimeOffset? receivedTo,
        [Range(1, MaxPageSize), DefaultValue(DefaultPageSize)] int? limit,
        [Range(1, PageRequest.MaxPage), DefaultValue(PageRequest.FirstPage)] int? page,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        var paging = PageRequest.Read(limit, page, DefaultPageSize, MaxPageSize, errors);
        errors.CheckTimeRange(receivedFrom, receivedTo, "receivedTo");
        var withStatus = errors.ParseEnum<TipStatus>(status, "status");
        var withVerdict = errors.ParseEnum<TipVerdict>(verdict, "verdict");
        var throughChannel = errors.ParseEnum<TipChannel>(channel, "channel");
        var inCategory = errors.ParseEnum<SecurityCategory>(category, "category");
        if (errors.Any)
        {
            return errors.ToRejection().ToProblem();
        }

        var scope = await PartnerScope.ForAsync(http, session, ct);
        IQueryable<TipRow> Filtered(IQueryable<TipRow> query)
        {
            query = query.VisibleTo(scope);
            query = query.WhereGiven(withStatus, s => tip => tip.Status == s);
            query = query.WhereGiven(withVerdict, v => tip => tip.Verdict == v);
            query = query.WhereGiven(throughChannel, c => tip => tip.Channel == c);
            query = query.WhereGiven(inCategory, k => tip => tip.Category == k);
            query = query.WhereGiven(siteId, site => tip => tip.SiteId == site);
            query = query.WhereGiven(receivedFrom?.ToUniversalTime(), from => tip => tip.ReceivedAt >= from);
            return query.WhereGiven(receivedTo?.ToUniversalTime(), to => tip => tip.ReceivedAt < to);
        }

        var found = await databases.PageAsync<TipRow, TipState>(
            http.Ward().Spans, Filtered, rows => rows.OrderByDescending(tip => tip.ReceivedAt).ThenBy(tip => tip.Id), tip => tip.Id, paging, ct);
        return scope is null
            ? Results.Ok(found.Select(tip => TipPoliceView.Of(tip.Record, tip.Ward)))
            : Results.Ok(found.Select(tip => TipPartnerView.Of(tip.Record, tip.Ward)));
    }

    private static async Task<IResult> Get(Guid id, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var (state, version) = await session.LoadStreamAsync<TipState>(id, ct);
        var scope = await PartnerScope.ForAsync(http, session, ct);
        if (state is null || !scope.Shows(state))
        {
            return StreamResults.NotFound(What, id);
        }

        var events = await session.Events.FetchStreamAsync(id, version, token: ct);
        if (scope is not null)
        {
            // A partner takes no step on a tip, and the stream's version would count what it may not see.
            return Results.Ok(new TipPartnerDetails(TipPartnerView.Of(state, WardOfWork.Id), PartnerTimeline.Of(events, TipViews.PartnerCourse)));
        }

        http.Response.SetETag(version);
        return Results.Ok(new TipDetails(TipPoliceView.Of(state, WardOfWork.Id), TimelineSteps.Of(events)));
    }

    private static async Task<IResult> Assess(
        Guid id, AssessTip request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var command = request with
        {
            OriginalExists = request.DuplicateOf is { } original && await session.StreamOfAsync<TipState>(original, ct) is not null,
        };
        return await session.AppendToStreamAsync<TipState>(http, id, What, tip => Tip.Assess(tip, command, clock.GetUtcNow(), http.Actor()), ct);
    }

    private static async Task<IResult> Refer(
        Guid id, ReferTip? request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var command = (request ?? new ReferTip(null)) with
        {
            NewIncidentId = Guid.CreateVersion7(),
            IncidentKnown = request?.IncidentId is { } existing && await session.LoadAsync<KnownIncident>(existing, ct) is not null,
            Ward = http.Ward().Ward.AsRecording(),
        };
        return await session.AppendToStreamAsync<TipState>(http, id, What, tip => Tip.Refer(tip, command, clock.GetUtcNow(), http.Actor()), ct);
    }

    private static async Task<IResult> Messages(Guid id, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var (tip, version) = await session.LoadStreamAsync<TipState>(id, ct);
        if (tip is null)
        {
            return StreamResults.NotFound(What, id);
        }

        http.Response.SetETag(version);
        return Results.Ok(tip.Messages);
    }

    private static Task<IResult> Reply(
        Guid id, PostTipMessage request, HttpContext http, IDocumentSession session, SealingKey sealing, TimeProvider clock, CancellationToken ct) =>
        http.WithKeyKeptInStream(
            IdempotencyKeys.ClientOf(http),
            sealing,
            key => session.AppendToStreamAsync<TipState>(
                http,
                id,
                What,
                tip => Tip.PostMessage(tip, request with { MessageId = Guid.CreateVersion7(), Author = MessageAuthor.Police, Key = key }, clock.GetUtcNow(), http.Actor()),
                ct,
                tip => Results.Ok(tip.Messages)));

    /// <summary>
    /// A read, though it records itself: it takes no <c>If-Match</c> and answers no ETag. Officers reading at once all read,
    /// in turns; one after an erasure finds none (404: the tip's state says it is erased, whatever was loaded before its turn,
    /// and so do its events, whatever its snapshot says). The contact is loaded and opened in the read's turn, bound to the tip
    /// the path names: one that does not open (moved from another tip, changed in the database, whatever way) is read by nobody.
    /// </summary>
    private static async Task<IResult> ReadContact(
        Guid id, HttpContext http, IDocumentSession session, ContactVault vault, TimeProvider clock, CancellationToken ct)
    {
        ContactDetails? opened = null;
        return await session.AppendToStreamAsync<TipState>(
            http,
            id,
            What,
            async tip =>
            {
                // Opened before the read is recorded: a contact that does not open is read by nobody.
                var contact = await session.LoadSealedAsync<TipContact>(id, ct);
                var erased = tip.ContactErased || await ErasureRecordedAsync(session, id, ct);
                opened = contact.Exists && !erased ? vault.TryOpen(contact) : null;
                return Tip.ReadContact(tip, new ReadTipsterContact(contact.Exists && !erased, Opens: opened is not null), clock.GetUtcNow(), http.Actor());
            },
            ct,
            _ => Results.Ok(opened!),
            versioned: false);
    }

    /// <summary>
    /// Whether tip <paramref name="id"/>'s events record an erasure of its contact: its snapshot's flag is not chained, and a
    /// contact put back in the database with the flag turned back is still erased (read from the stream's own rows, by index).
    /// </summary>
    private static Task<bool> ErasureRecordedAsync(IQuerySession session, Guid id, CancellationToken ct)
    {
        var erased = ((Marten.Events.EventGraph)session.DocumentStore.Options.Events).EventMappingFor(typeof(TipContactErased)).EventTypeName;
        return session.Events.QueryAllRawEvents().AnyAsync(recorded => recorded.StreamId == id && recorded.EventTypeName == erased, ct);
    }

    /// <summary>
    /// The tipster's right to be forgotten takes its turn with officers reading the contact, never a 409 (its <c>If-Match</c>,
    /// where sent, judged against the version it then finds: a 412); a second erasure finds none (404). Whether a contact's row is
    /// there is read in its turn, without opening or even reading it: a row that does not open is erased all the same, and so is
    /// one put back in the database after an erasure (erased again).
    /// </summary>
    private static async Task<IResult> EraseContact(Guid id, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        session.Delete<TipContact>(id);
        IdempotencyStore.ForgetRequestsOf(session, id);
        return await session.AppendToStreamAsync<TipState>(
            http,
            id,
            What,
            async tip => Tip.EraseContact(tip, new EraseTipsterContact(await session.Json.FindByIdAsync<TipContact>(id, ct) is not null), clock.GetUtcNow(), http.Actor()),
            ct,
            _ => Results.NoContent());
    }
}
