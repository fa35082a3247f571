using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using WardLink.Contracts;
using WardLink.Domain;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;
using WardLink.EventSourcing.Idempotency;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

public sealed record HoldMeetingRequest(
    DateTimeOffset? HeldAt,
    [property: MinLength(1), MaxLength(Partner.MaxPartnerIds)] IReadOnlyList<Guid>? AttendingPartnerIds,
    [property: MaxLength(Partner.MaxTextLength)] string? Minutes);

public sealed record AssignActionItemRequest([property: MaxLength(Partner.MaxTextLength)] string? Text, Guid? OwnerPartnerId, DateTimeOffset? DueAt);

public sealed record OpenChannelRequest(
    ChannelKind? Kind,
    [property: MaxLength(Partner.MaxNameLength)] string? Name,
    [property: MaxLength(Agreement.MaxShortTextLength), RequiredWhen(nameof(OpenChannelRequest.Kind), ChannelKind.Hotline)] string? Number = null,
    [property: MaxLength(Agreement.MaxShortTextLength), RequiredWhen(nameof(OpenChannelRequest.Kind), ChannelKind.ChatGroup)] string? Platform = null,
    [property: MaxLength(Partner.MaxPartnerIds)] IReadOnlyList<Guid>? MemberPartnerIds = null);

public sealed record ChannelMemberRequest(Guid? PartnerId);

public sealed record OutreachRequest(
    [property: MinLength(1), MaxLength(Activities.MaxTopics)] IReadOnlyList<OutreachTopic>? Topics,
    [property: Range(1, Activities.MaxCount)] int? Attendees, DateTimeOffset? At);

public sealed record IdCardDriveRequest([property: Range(1, Activities.MaxCount)] int? CardsIssued, DateTimeOffset? At);

public sealed record WarningSignsRequest(
    [property: Range(1, Activities.MaxCount)] int? Count,
    DateTimeOffset? At,
    [property: MaxLength(Partner.MaxTextLength)] string? Text = null);

/// <summary>An open action item past its due date, with the meeting that set it and the ward the meeting was held in.</summary>
public sealed record OverdueActionItem(Guid MeetingId, [property: MaxLength(WardNames.MaxIdLength)] string Ward, DateTimeOffset MeetingHeldAt, ActionItem Item);

/// <summary>The joint work of the linkage: monthly meetings and their action items, outreach, ID-card drives, warning signs.</summary>
public static class LinkageEndpoints
{
    private const string WhatMeeting = "Meeting";
    private const string WhatChannel = "Channel";

    public static IEndpointRouteBuilder MapLinkageEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var partners = endpoints.MapGroup("/partners").WithTags("Linkage");
        partners.MapPost("/meetings", HoldMeeting)
            .WithName("HoldMeeting")
            .WithWardParameter(WardParameters.Recorded)
            .WithSummary("Record a monthly coordination meeting in the request's ward: when, the attending partners (of that ward; one that had left the linkage by then is a 409), the minutes.")
            .WithIdempotency()
            .WithETag()
            .Produces<MeetingState>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        MapRead<MeetingState>(partners, "/meetings/{id:guid}", WhatMeeting, "GetMeeting");
        partners.MapPost("/meetings/{id:guid}/action-items", AssignActionItem)
            .DescribeStreamStep<MeetingState>("AssignActionItem", $"Give a meeting an action item: what, the owner partner (one that has left the linkage is a 409), the due date (with an offset, from the meeting to at most {WardTime.DueYearsAhead} years ahead).");
        partners.MapPost("/meetings/{id:guid}/action-items/{itemId:guid}/complete", CompleteActionItem)
            .DescribeStreamStep<MeetingState>("CompleteActionItem", "Close an action item (once), on the date given or now.");
        partners.MapGet("/action-items/overdue", Overdue)
            .WithName("OverdueActionItems")
            .WithWardParameter(WardParameters.Listed)
            .WithMaxItems(DocumentedBounds.AnyCount)
            .WithSummary($"Open action items past their due date (as of now, or ?asOf=), oldest due first, each naming its meeting's ward; filter by owner partner. {WardTime.QueryTimeLimits}");

        partners.MapPost("/{id:guid}/outreach-sessions", HoldOutreach)
            .WithName("HoldOutreachSession")
            .WithSummary("Record a legal-education session at a school (or another partner): topics, attendees.")
            .WithIdempotency()
            .WithETag()
            .Produces<OutreachSessionState>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        partners.MapPost("/{id:guid}/id-card-drives", HoldIdCardDrive)
            .WithName("HoldIdCardDrive")
            .WithSummary("Record a mobile ID-card drive at a partner: the cards issued.")
            .WithIdempotency()
            .WithETag()
            .Produces<IdCardDriveState>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        partners.MapPost("/{id:guid}/sites/{siteId:guid}/warning-signs", PostWarningSigns)
            .WithName("PostWarningSigns")
            .WithSummary("Record theft-warning signs posted at a site.")
            .WithIdempotency()
            .WithETag()
            .Produces<WarningSignsState>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        partners.MapPost("/channels", OpenChannel)
            .WithName("OpenChannel")
            .WithWardParameter(WardParameters.Recorded)
            .WithSummary("Open a communication channel in the request's ward: a hotline with its number, or a chat group with its platform and its members' partners (of that ward; one that has left the linkage is a 409).")
            .WithIdempotency()
            .WithETag()
            .Produces<ChannelState>(StatusCodes.Status201Created)
            .ProducesValidationProblem();
        MapRead<ChannelState>(partners, "/channels/{id:guid}", WhatChannel, "GetChannel");
        partners.MapPost("/channels/{id:guid}/members", AddChannelMember)
            .DescribeStreamStep<ChannelState>("AddChannelMember", $"Add a partner to a channel's members: at most {Partner.MaxPartnerIds}, as a channel is opened with (past that, 409); a partner that has left the linkage is a 409.");
        partners.MapDelete("/channels/{id:guid}/members/{partnerId:guid}", RemoveChannelMember)
            .DescribeStreamStep<ChannelState>("RemoveChannelMember", "Remove a partner from a channel's members.");
        MapRead<OutreachSessionState>(partners, "/outreach-sessions/{id:guid}", "Outreach session", "GetOutreachSession");
        MapRead<IdCardDriveState>(partners, "/id-card-drives/{id:guid}", "ID-card drive", "GetIdCardDrive");
        MapRead<WarningSignsState>(partners, "/warning-signs/{id:guid}", "Warning-sign posting", "GetWarningSigns");
        return endpoints;
    }

    private static void MapRead<TState>(RouteGroupBuilder group, string pattern, string what, string name)
        where TState : class =>
        group.MapGet(pattern, (Guid id, HttpContext http, IQuerySession session, CancellationToken ct) => session.ReadStreamAsync<TState>(http, id, what, ct))
            .WithName(name)
            .WithETag()
            .Produces<TState>()
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static Task<IResult> CompleteActionItem(
        Guid id, Guid itemId, DatedStepRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.AppendToStreamAsync<MeetingState>(
            http, id, WhatMeeting, meeting => Meeting.CompleteActionItem(meeting, new CompleteActionItem(itemId, request.At), clock.GetUtcNow(), http.Actor()), ct);

    private static async Task<IResult> OpenChannel(OpenChannelRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var members = await session.PartnersInTurnAsync(request.MemberPartnerIds ?? [], ct);
        var command = new OpenChannel(Guid.CreateVersion7(), request.Kind, request.Name, request.Number, request.Platform, request.MemberPartnerIds, members);
        return await session.StartStreamAsync<ChannelState>(
            http, command.ChannelId, Channel.Open(null, command, clock.GetUtcNow(), http.Actor()), $"/partners/channels/{command.ChannelId}", ct);
    }

    private static async Task<IResult> AddChannelMember(
        Guid id, ChannelMemberRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        // The channel is found first (a 404 whatever the body), then the body judged.
        var command = new AddChannelMember(request.PartnerId, await session.PartnersInTurnAsync(request.PartnerId is { } partnerId ? [partnerId] : [], ct));
        return await session.AppendToStreamAsync<ChannelState>(http, id, WhatChannel, channel => Channel.AddMember(channel, command, clock.GetUtcNow(), http.Actor()), ct);
    }

    private static Task<IResult> RemoveChannelMember(Guid id, Guid partnerId, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.AppendToStreamAsync<ChannelState>(http, id, WhatChannel, channel => Channel.RemoveMember(channel, new RemoveChannelMember(partnerId), clock.GetUtcNow(), http.Actor()), ct);

    private static async Task<IResult> HoldMeeting(HoldMeetingRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var attending = await session.PartnersInTurnAsync(request.AttendingPartnerIds ?? [], ct);
        var command = new HoldMeeting(Guid.CreateVersion7(), request.HeldAt, request.AttendingPartnerIds, request.Minutes, attending);
        return await session.StartStreamAsync<MeetingState>(
            http, command.MeetingId, Meeting.Hold(null, command, clock.GetUtcNow(), http.Actor()), $"/partners/meetings/{command.MeetingId}", ct, beginsAt: _ => request.HeldAt);
    }

    private static async Task<IResult> AssignActionItem(
        Guid id, AssignActionItemRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var owner = await session.PartnersInTurnAsync(request.OwnerPartnerId is { } ownerId ? [ownerId] : [], ct);
        var command = new AssignActionItem(Guid.CreateVersion7(), request.Text, request.OwnerPartnerId, owner, request.DueAt);
        return await session.AppendToStreamAsync<MeetingState>(http, id, WhatMeeting, meeting => Meeting.AssignActionItem(meeting, command, clock.GetUtcNow(), http.Actor()), ct);
    }

    private static async Task<Ok<List<OverdueActionItem>>> Overdue(
        HttpContext http, WardDatabases databases, TimeProvider clock, DateTimeOffset? asOf, Guid? ownerPartnerId, CancellationToken ct)
    {
        var at = asOf ?? clock.GetUtcNow();
        var meetings = await databases.ListAsync<MeetingState>(http.Ward().Spans, every => every.Where(meeting => meeting.HeldAt < at), ct);
        return TypedResults.Ok(meetings
            .SelectMany(meeting => meeting.ActionItems.Select(item => new OverdueActionItem(meeting.Id, databases.WardOfTenant(meeting.TenantId!), meeting.HeldAt, item)))
            .Where(overdue => overdue.Item.IsOpenPastDueAt(at))
            .Where(overdue => ownerPartnerId is null || overdue.Item.OwnerPartnerId == ownerPartnerId)
            .OrderBy(overdue => overdue.Item.DueAt)
            .ToList());
    }

    private static async Task<IResult> HoldOutreach(Guid id, OutreachRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var partner = await session.PartnerInTurnAsync(id, ct);
        var command = new HoldOutreachSession(Guid.CreateVersion7(), partner, request.Topics, request.Attendees, request.At);
        return await session.StartStreamAsync<OutreachSessionState>(
            http, command.SessionId, Activities.HoldOutreach(null, command, clock.GetUtcNow(), http.Actor()), $"/partners/outreach-sessions/{command.SessionId}", ct);
    }

    private static async Task<IResult> HoldIdCardDrive(Guid id, IdCardDriveRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var partner = await session.PartnerInTurnAsync(id, ct);
        var command = new HoldIdCardDrive(Guid.CreateVersion7(), partner, request.CardsIssued, request.At);
        return await session.StartStreamAsync<IdCardDriveState>(
            http, command.DriveId, Activities.HoldIdCardDrive(null, command, clock.GetUtcNow(), http.Actor()), $"/partners/id-card-drives/{command.DriveId}", ct);
    }

    private static async Task<IResult> PostWarningSigns(
        Guid id, Guid siteId, WarningSignsRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var (partner, site) = await session.PartnerAndSiteInTurnAsync(id, siteId, ct);
        var command = new PostWarningSigns(Guid.CreateVersion7(), id, site, request.Count, request.Text, request.At, partner);
        return await session.StartStreamAsync<WarningSignsState>(
            http, command.PostingId, Activities.PostWarningSigns(null, command, clock.GetUtcNow(), http.Actor()), $"/partners/warning-signs/{command.PostingId}", ct);
    }

    /// <summary>
    /// The partners a step engages (a channel's members, a meeting's attending partners, an action item's owner), read in each one's turn
    /// (<see cref="Partner.RecordsTurnOf"/>) as the steps a leave refuses: one sent while a partner leaves is decided on the
    /// partner once the leave has committed, or commits before the leave is decided.
    /// </summary>
    private static async Task<NamedPartners> PartnersInTurnAsync(this IDocumentSession session, IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        var named = ids.Distinct().ToList();
        if (named.Count == 0)
        {
            return new NamedPartners([], []);
        }

        // More than a list takes is refused by the decision: no turn is taken for it (a body of thousands of ids held as many locks).
        if (named.Count <= Partner.MaxPartnerIds)
        {
            await session.TakeTurnsAsync(named.Select(Partner.RecordsTurnOf), ct);
        }

        var found = await session.LoadManyAsync<PartnerState>(ct, named);
        var known = found.Select(partner => partner.Id).ToHashSet();
        return new NamedPartners([.. named.Where(id => !known.Contains(id))], [.. found.Where(partner => partner.Status == PartnerStatus.Left)]);
    }
}
