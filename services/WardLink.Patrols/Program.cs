using WardLink.EventSourcing;
using WardLink.Patrols;

var app = WardLinkApp.Build(args, PatrolsService.Name, service =>
{
    service.KeepsSiteDirectory = true;
    service.Publishes = new PatrolsIntegrationEvents();
    service.Store = PatrolQueries.AddPatrolReadModels;
    service.AuditedStates.Add<RouteState>().Add<ScheduleState>().Add<ShiftState>();
    service.Bus = bus => bus.AddConsumer<IncidentReportedConsumer>();
    service.Services = services =>
    {
        services.AddSingleton(MissedShiftSweepOptions.Default);
        services.AddHostedService<MissedShiftSweep>();
    };
});
app.MapPatrolEndpoints();
app.MapPatrolQueries();
app.Run();
