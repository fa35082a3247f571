using Marten;
using Marten.Exceptions;
using MassTransit;
using Microsoft.Extensions.Options;
using WardLink.EventSourcing.Wards;

namespace WardLink.Partners;

/// <summary>
/// Partners records the deployment's home ward (<c>Wards:Home</c>) as a ward of its own when its
/// stream does not exist yet, as <see cref="Actor"/>: every directory then learns it from a real
/// WardEstablished (version 1) instead of configuration alone. Once only, whatever the restarts and
/// replicas: the stream's id is the ward's, so a later start finds it and a replica starting
/// alongside loses the race to create it. It waits for the bus first, so partners' own directory
/// is bound to the message before the relay publishes it; meanwhile the service starts and answers
/// (the directories know the home ward from configuration until then, and the wards API refuses its id and its code to
/// any other establishment). A code another ward kept before the deployment named it home is refused, and said so.
/// </summary>
public sealed class HomeWardEstablishment(
    ISessionFactory sessions, WardDatabases databases, IBusControl bus, IOptions<WardOptions> wards, TimeProvider clock, ILogger<HomeWardEstablishment> logger)
    : BackgroundService
{
    public const string Actor = "system";

    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await bus.WaitForHealthStatus(BusHealthStatus.Healthy, stoppingToken);
        while (true)
        {
            try
            {
                await EstablishAsync(stoppingToken);
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "The home ward could not be established yet; retrying in {RetryAfter}", RetryAfter);
                await Task.Delay(RetryAfter, clock, stoppingToken);
            }
        }
    }

    private async Task EstablishAsync(CancellationToken ct)
    {
        var home = wards.Value.Home;
        using (WardContext.Enter(home.Id))
        {
            await using var session = sessions.OpenSession();
            var streamId = Ward.StreamIdOf(home.Id);
            if (await session.Events.FetchStreamStateAsync(streamId, ct) is not null)
            {
                return;
            }

            var codeTaken = await databases.IsCodeTakenAsync(home.Code, ct);
            var decision = Ward.Establish(null, new EstablishWard(home.Id, home.Code, home.Name, home.Province, null, codeTaken), clock.GetUtcNow(), Actor);
            if (decision.Rejection is { } rejection)
            {
                throw new InvalidOperationException($"{WardOptions.Section}:Home cannot be established: {rejection.Title}");
            }

            session.Events.StartStream<WardState>(streamId, decision.Events);
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (ExistingStreamIdCollisionException)
            {
                // A replica starting alongside established it first.
            }
        }
    }
}
