using System.Diagnostics.Metrics;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using WardLink.EventSourcing.Relay;
using WardLink.ServiceDefaults;

namespace WardLink.UnitTests;

/// <summary>
/// With wards kept in databases of their own, each database has its own relay; readiness reports an outage while any of
/// them fails to publish, from its first failed attempt, whatever another database's relay confirms meanwhile.
/// </summary>
public sealed class RelayStatusTests
{
    private static readonly string[] Databases = ["main", "north", "south"];

    private static readonly DateTimeOffset Start = new(2026, 12, 5, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_outage_lasts_until_its_own_database_publishes_a_whole_page_again()
    {
        var step = Gen.Select(Gen.Int[0, Databases.Length - 1], Gen.Bool, (database, fails) => (Database: Databases[database], Fails: fails));
        step.Array[0, 30].Sample(steps =>
        {
            using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
            var status = new RelayStatus(new ServiceIdentity("tips"), services.GetRequiredService<IMeterFactory>());
            var outages = new Dictionary<string, (DateTimeOffset Since, DateTimeOffset LastAt, string Failure, int Attempts)>();
            for (var index = 0; index < steps.Length; index++)
            {
                var (database, fails) = steps[index];
                var now = Start.AddSeconds(index);
                if (fails)
                {
                    var failure = $"attempt {index} of {database}";
                    status.PublishFailed(database, now, failure);
                    outages[database] = outages.TryGetValue(database, out var outage)
                        ? (outage.Since, now, failure, outage.Attempts + 1)
                        : (now, now, failure, 1);
                }
                else
                {
                    status.PageConfirmed(database);
                    outages.Remove(database);
                }

                Assert.Equal(outages.Count == 0 ? null : outages.Values.Min(outage => outage.Since), status.FailingSince);
                Assert.Equal(outages.Values.Sum(outage => outage.Attempts), status.FailedAttempts);
                Assert.Equal(outages.Count == 0 ? null : outages.Values.MaxBy(outage => outage.LastAt).Failure, status.LastFailure);
            }
        });
    }
}
