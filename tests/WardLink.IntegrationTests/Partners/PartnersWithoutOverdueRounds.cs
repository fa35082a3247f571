using Microsoft.Extensions.DependencyInjection;
using WardLink.Partners;
using WardLink.Testing;

namespace WardLink.IntegrationTests.Partners;

/// <summary>
/// The partners service with its overdue sweep an hour apart: it runs once on start, before any test has recorded an
/// action item, and not again while the class runs. Its tests count the events the store holds and read a meeting's
/// events in order, where a round in between (every minute by default, on the real clock) appends an
/// <c>ActionItemOverdue</c> for each past-due item a test left open.
/// </summary>
public sealed class PartnersWithoutOverdueRounds : ServiceFixture<PartnersService>
{
    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton(new OverdueSweepSchedule(TimeSpan.FromHours(1)));
}
