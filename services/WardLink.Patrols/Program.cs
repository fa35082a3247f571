using JasperFx.Events.Projections;
using WardLink.EventSourcing;
using WardLink.Patrols;

var app = WardLinkApp.Build(args, PatrolsService.Name, service =>
{
    service.KeepsPartnerDirectory = true;
    service.Publishes = new PatrolsIntegrationEvents();
    service.Store = store =>
    {
        store.Projections.Snapshot<RouteState>(SnapshotLifecycle.Inline);
        store.Projections.Snapshot<ScheduleState>(SnapshotLifecycle.Inline);
        store.Projections.Snapshot<ShiftState>(SnapshotLifecycle.Inline);
        store.Schema.For<ShiftState>().Index(shift => shift.Begins);
        store.Schema.For<SiteIncident>().Index(incident => incident.OccurredAt);
    };
    service.ReadModels.Add<ShiftRows, ShiftRow>();
    service.AuditedStates.Add<RouteState>().Add<ScheduleState>().Add<ShiftState>();
    service.Bus = bus => bus.AddConsumer<IncidentReportedConsumer>();
    service.Services = services =>
    {
        services.AddSingleton(MissedShiftSweepSchedule.Default);
        services.AddHostedService<MissedShiftSweep>();
    };
});
app.MapPatrolEndpoints();
app.MapPatrolQueries();
app.Run();
