using System.Diagnostics.Metrics;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WardLink.Contracts;
using WardLink.Contracts.Incidents;
using WardLink.Contracts.Partners;
using WardLink.Contracts.Patrols;
using WardLink.Contracts.Tips;
using WardLink.EventSourcing;
using WardLink.Incidents;
using WardLink.IntegrationTests.Incidents;
using WardLink.IntegrationTests.StoredValues;
using WardLink.Testing;
using IncidentReported = WardLink.Incidents.IncidentReported;
using PublishedResolution = WardLink.Contracts.Incidents.IncidentResolved;

namespace WardLink.IntegrationTests.Pipeline;

/// <summary>The incidents service alone on a virtual host, counting what its consumers finished.</summary>
public sealed class IncidentsOnTheBus : ServiceGroup
{
    public ConsumeCounter Consumed { get; } = new();

    /// <summary>Every line the service logs (the bus's retries among them).</summary>
    public CapturedLogs Logs { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public IDocumentStore Store => StoreOf(IncidentsService.Name);

    public ServiceHost<IncidentsService> Host { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        Host = await StartAsync<IncidentsService>(IncidentsService.Name, services: services => services.AddConsumeObserver(_ => Consumed).AddSingleton<ILoggerProvider>(Logs));
        Client = Host.CreateClient();
    }
}

public sealed class IncidentReferralTests(IncidentsOnTheBus incidents) : IClassFixture<IncidentsOnTheBus>
{
    private static readonly DateTimeOffset ReferredAt = new(2024, 3, 15, 9, 0, 0, TimeSpan.FromHours(7));

    private static TipReferred Referral(Guid incidentId, bool opensNewIncident, Guid? tipId = null) => new(
        tipId ?? Guid.CreateVersion7(),
        "TIP-2024-0042",
        incidentId,
        opensNewIncident,
        SecurityCategory.Theft,
        "Two men trying car doors in the Obstetrics hospital car park.",
        new Place(null, "Obstetrics hospital car park", 19.8069, 105.7765),
        ReferredAt.AddHours(-12),
        ReferredAt,
        "police-triage");

    [Fact]
    public async Task A_referred_tip_delivered_twice_opens_one_incident_sourced_from_the_tip_and_linked_to_it()
    {
        await using var bus = await TestBus.StartAsync(incidents.VirtualHost);
        var incidentId = Guid.CreateVersion7();
        var referral = Referral(incidentId, opensNewIncident: true);
        var messageId = NewId.NextGuid();

        await bus.PublishAsync(referral, messageId);
        await bus.PublishAsync(referral, messageId);
        await ConsumedAsync(messageId, 2);

        var events = await incidents.Store.EventsOfAsync(incidentId);
        Assert.Equal(2, events.Count);
        var reported = Assert.IsType<IncidentReported>(events[0].Data);
        Assert.Equal(IncidentSource.Tip, reported.Source);
        Assert.Equal("TIP-2024-0042", reported.SourceReference);
        Assert.Equal(IncidentClassification.Criminal, reported.Classification);
        Assert.Equal(SecurityCategory.Theft, reported.Category);
        Assert.Equal(referral.ReceivedAt, reported.OccurredAt);
        Assert.Equal("police-triage", reported.By);
        Assert.Matches("^INC-QT-2024-\\d{4}$", reported.CaseNumber);
        var linked = Assert.IsType<TipLinked>(events[1].Data);
        Assert.Equal(referral.TipId, linked.TipId);
        Assert.Single(await incidents.ProcessedByAsync(IncidentsService.Name), processed => processed.MessageId == messageId);

        // The same referral under a new message id (tips re-relayed it): the incident id makes it a no-op.
        var again = NewId.NextGuid();
        await bus.PublishAsync(referral, again);
        await ConsumedAsync(again, 1);
        Assert.Equal(2, (await incidents.Store.EventsOfAsync(incidentId)).Count);
    }

    [Fact]
    public async Task A_referral_in_version_1_still_queued_at_an_upgrade_opens_its_incident_at_its_place_once()
    {
        await using var bus = await TestBus.StartAsync(incidents.VirtualHost);
        var incidentId = Guid.CreateVersion7();
        var v2 = Referral(incidentId, opensNewIncident: true);
        var v1 = VersionOne(v2);
        var messageId = NewId.NextGuid();

        await bus.PublishAsync(v1, messageId);
        await bus.PublishAsync(v1, messageId);
        await ConsumedAsync(messageId, 2);

        var events = await incidents.Store.EventsOfAsync(incidentId);
        Assert.Equal(2, events.Count);
        Assert.Equal(v2.Place, Assert.IsType<IncidentReported>(events[0].Data).Place);
        Assert.Equal(v2.TipId, Assert.IsType<TipLinked>(events[1].Data).TipId);

        // Both versions are read from the one queue the operators know (and its error queue).
        var queues = await incidents.Infrastructure.QueueTypesAsync(incidents.VirtualHost);
        Assert.Contains("incidents-tip-referred", queues.Keys);
        Assert.DoesNotContain(queues.Keys, queue => queue.StartsWith("incidents-tip-referred-v", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_referral_relayed_again_in_the_other_version_under_its_message_id_changes_nothing()
    {
        await using var bus = await TestBus.StartAsync(incidents.VirtualHost);
        var incidentId = Guid.CreateVersion7();
        var v2 = Referral(incidentId, opensNewIncident: true);
        var messageId = NewId.NextGuid();

        // An old tips instance relays the referral in version 1 and stops before storing its progress; the police unlink the
        // tip; the upgraded instance relays the same event again, in version 2, under the same message id.
        await bus.PublishAsync(VersionOne(v2), messageId);
        await ConsumedAsync(messageId, 1);
        using var unlink = new HttpRequestMessage(HttpMethod.Delete, $"/incidents/{incidentId}/tips/{v2.TipId}");
        unlink.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"2\""));
        await (await incidents.Client.SendAsync(unlink, TestContext.Current.CancellationToken)).AssertOkAsync();
        await bus.PublishAsync(v2, messageId);
        await ConsumedAsync(messageId, 2);

        Assert.Equal(
            [typeof(IncidentReported), typeof(TipLinked), typeof(TipUnlinked)],
            (await incidents.Store.EventsOfAsync(incidentId)).Select(recorded => recorded.Data.GetType()));
        Assert.Single(await incidents.ProcessedByAsync(IncidentsService.Name), processed => processed.MessageId == messageId);
    }

    /// <summary>
    /// A referral naming a site tips knew but whose registration has not reached incidents yet (another queue) waits for it
    /// through more retries than a failing message is given (<see cref="Messaging.RetryLimit"/>), and opens its incident at
    /// the site once it is known; it was refused as naming no such site and parked.
    /// </summary>
    [Fact]
    public async Task A_referral_naming_a_site_still_on_its_way_waits_for_it_and_is_not_parked()
    {
        var (incidentId, siteId, messageId) = await ReferralWaitingForItsSiteAsync(deliveries: 1, waits: Messaging.RetryLimit + 1);

        await ConsumedAsync(messageId, 1);

        Assert.Equal(siteId, Assert.IsType<IncidentReported>((await incidents.Store.EventsOfAsync(incidentId))[0].Data).Place.SiteId);
    }

    /// <summary>A referral delivered twice while its site is on its way waits twice, and is applied once when the site comes.</summary>
    [Fact]
    public async Task A_referral_delivered_twice_while_its_site_is_on_its_way_is_applied_once()
    {
        var (incidentId, siteId, messageId) = await ReferralWaitingForItsSiteAsync(deliveries: 2, waits: 2);

        await ConsumedAsync(messageId, 2);

        var events = await incidents.Store.EventsOfAsync(incidentId);
        Assert.Equal([typeof(IncidentReported), typeof(TipLinked)], events.Select(recorded => recorded.Data.GetType()));
        Assert.Equal(siteId, Assert.IsType<IncidentReported>(events[0].Data).Place.SiteId);
        Assert.Single(await incidents.ProcessedByAsync(IncidentsService.Name), processed => processed.MessageId == messageId);
    }

    [Fact]
    public async Task A_tip_referred_to_an_existing_incident_is_linked_to_it()
    {
        await using var bus = await TestBus.StartAsync(incidents.VirtualHost);
        var (incidentId, _, _) = await incidents.Client.ReportAsync();
        var referral = Referral(incidentId, opensNewIncident: false);
        var messageId = NewId.NextGuid();

        await bus.PublishAsync(referral, messageId);
        await ConsumedAsync(messageId, 1);

        var events = await incidents.Store.EventsOfAsync(incidentId);
        Assert.Equal(2, events.Count);
        Assert.Equal(referral.TipId, Assert.IsType<TipLinked>(events[1].Data).TipId);
    }

    /// <summary>
    /// A referral reaching an incident an officer is adding a note to at that moment waits for the note and links the tip at its
    /// first attempt: no lost race, so no retry by the bus (five lost races in a row parked the referral, the tip never linked).
    /// </summary>
    [Fact]
    public async Task A_referral_reaching_an_incident_a_step_holds_waits_for_the_step_and_links_the_tip_at_its_first_attempt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var bus = await TestBus.StartAsync(incidents.VirtualHost);
        var (incidentId, _, _) = await incidents.Client.ReportAsync();
        var referral = Referral(incidentId, opensNewIncident: false);
        var messageId = NewId.NextGuid();
        var retriesBefore = incidents.Logs.Lines.Count(line => line.Contains("R-RETRY", StringComparison.Ordinal));

        await await incidents.Store.WhileAStepHoldsAsync<IncidentState>(
            await incidents.DatabaseOfAsync(IncidentsService.Name),
            incidentId,
            _ => bus.PublishAsync(referral, messageId),
            new NoteAdded(incidentId, "Checked the car park's camera.", DateTimeOffset.UtcNow, "an officer"),
            ct);

        await ConsumedAsync(messageId, 1);
        var events = await incidents.Store.EventsOfAsync(incidentId);
        Assert.Equal([typeof(IncidentReported), typeof(NoteAdded), typeof(TipLinked)], events.Select(recorded => recorded.Data.GetType()));
        Assert.Equal(retriesBefore, incidents.Logs.Lines.Count(line => line.Contains("R-RETRY", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_referral_to_an_unknown_existing_incident_is_parked_in_the_error_queue_and_opens_nothing()
    {
        await using var bus = await TestBus.StartAsync(incidents.VirtualHost);
        var incidentId = Guid.CreateVersion7();
        var messageId = NewId.NextGuid();

        await bus.PublishAsync(Referral(incidentId, opensNewIncident: false), messageId);

        var parked = await Eventually.Get(
            async () => (await incidents.Infrastructure.TakeMessagesAsync(incidents.VirtualHost, "incidents-tip-referred_error", 10)) is { Count: > 0 } messages ? messages : null,
            "the referral in the error queue");
        Assert.Contains(messageId.ToString(), Assert.Single(parked).GetProperty("payload").GetString(), StringComparison.Ordinal);
        Assert.Empty(await incidents.Store.EventsOfAsync(incidentId));
        Assert.DoesNotContain(await incidents.ProcessedByAsync(IncidentsService.Name), processed => processed.MessageId == messageId);
    }

    [Fact]
    public async Task A_patrol_observation_that_needs_an_incident_delivered_twice_opens_one_sourced_from_the_patrol()
    {
        await using var bus = await TestBus.StartAsync(incidents.VirtualHost);
        var incidentId = Guid.CreateVersion7();
        var observation = new PatrolObservationReported(
            Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), null, "A fight outside the Psychiatric hospital gate.",
            ObservationSeverity.High, NeedsIncident: true, incidentId, new DateTimeOffset(2024, 6, 1, 22, 40, 0, TimeSpan.FromHours(7)), "joint-patrol-2");
        var quiet = observation with { ObservationId = Guid.CreateVersion7(), NeedsIncident = false, IncidentId = Guid.CreateVersion7() };
        var messageId = NewId.NextGuid();
        var quietId = NewId.NextGuid();

        await bus.PublishAsync(observation, messageId);
        await bus.PublishAsync(observation, messageId);
        await bus.PublishAsync(quiet, quietId);
        await ConsumedAsync(messageId, 2);
        await ConsumedAsync(quietId, 1);

        var reported = Assert.IsType<IncidentReported>(Assert.Single(await incidents.Store.EventsOfAsync(incidentId)).Data);
        Assert.Equal(IncidentSource.Patrol, reported.Source);
        Assert.Equal(observation.ObservationId.ToString(), reported.SourceReference);
        Assert.Equal(observation.ObservedAt, reported.OccurredAt);
        Assert.Equal("joint-patrol-2", reported.By);
        Assert.Empty(await incidents.Store.EventsOfAsync(quiet.IncidentId!.Value));
    }

    [Fact]
    public async Task Opening_and_resolving_are_published_with_the_outcome_and_every_linked_tip()
    {
        await using var bus = await TestBus.StartAsync(incidents.VirtualHost, (received, rabbit) =>
        {
            TestBus.Recording<Contracts.Incidents.IncidentReported>("test-incident-reported")(received, rabbit);
            TestBus.Recording<PublishedResolution>("test-incident-resolved")(received, rabbit);
        });
        var (id, etag, body) = await incidents.Client.ReportAsync();
        var tips = new[] { Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7() };
        foreach (var tip in tips)
        {
            etag = await incidents.Client.StepOkAsync($"/incidents/{id}/tips", etag, new { tipId = tip });
        }

        etag = await incidents.Client.StepOkAsync($"/incidents/{id}/tips/{tips[1]}", etag, method: HttpMethod.Delete);
        etag = await incidents.Client.StepOkAsync($"/incidents/{id}/assign", etag, new { unit = "Criminal team" });
        await incidents.Client.StepOkAsync($"/incidents/{id}/resolve", etag, new { outcome = "criminalCaseSolved" });

        var resolved = await Eventually.Get(
            () => Task.FromResult(bus.Received.Select(entry => entry.Message).OfType<PublishedResolution>().SingleOrDefault(message => message.IncidentId == id)),
            "IncidentResolved for the incident");
        Assert.Equal(IncidentOutcome.CriminalCaseSolved, resolved.Outcome);
        Assert.Equal(body.GetProperty("caseNumber").GetString(), resolved.CaseNumber);
        Assert.Equal([tips[0], tips[2]], resolved.LinkedTipIds);
        var reported = Assert.Single(bus.Received.Select(entry => entry.Message).OfType<Contracts.Incidents.IncidentReported>(), message => message.IncidentId == id);
        Assert.Equal(IncidentSource.Police, reported.Source);
        Assert.Equal(body.GetProperty("caseNumber").GetString(), reported.CaseNumber);
    }

    private static TipReferredV1 VersionOne(TipReferred v2) => new(
        v2.TipId, v2.TipNumber, v2.IncidentId, v2.OpensNewIncident, v2.Category, v2.Description,
        v2.Place.SiteId, v2.Place.Description, v2.Place.Latitude, v2.Place.Longitude, v2.ReceivedAt, v2.ReferredAt, v2.ReferredBy);

    /// <summary>
    /// Delivers a referral to a new incident at a site incidents does not know <paramref name="deliveries"/> times, under one
    /// message id; once it waited <paramref name="waits"/> times in all, registers the site.
    /// </summary>
    private async Task<(Guid IncidentId, Guid SiteId, Guid MessageId)> ReferralWaitingForItsSiteAsync(int deliveries, int waits)
    {
        await using var bus = await TestBus.StartAsync(incidents.VirtualHost);
        using var metrics = new HostMetrics(incidents.Host.Services.GetRequiredService<IMeterFactory>());
        var incidentId = Guid.CreateVersion7();
        var siteId = Guid.CreateVersion7();
        var referral = Referral(incidentId, opensNewIncident: true) with { Place = new Place(siteId, null, null, null) };
        var messageId = NewId.NextGuid();

        for (var delivery = 0; delivery < deliveries; delivery++)
        {
            await bus.PublishAsync(referral, messageId);
        }

        await metrics.WaitedAsync<TipReferred>(waits, TimeSpan.FromSeconds(60));
        await bus.PublishAsync(new SiteRegistered(siteId, Guid.CreateVersion7(), "Obstetrics hospital car park", SiteKind.Gate, 19.8069, 105.7765, DateTimeOffset.UtcNow), NewId.NextGuid());
        return (incidentId, siteId, messageId);
    }

    private Task<string> ConsumedAsync(Guid messageId, int times) => Eventually.Get(
        () => Task.FromResult(incidents.Consumed.CountOf(messageId) >= times ? "consumed" : null),
        $"message {messageId} consumed {times} time(s)");
}
