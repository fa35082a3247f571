using Marten;
using Marten.Exceptions;
using Microsoft.Extensions.Options;
using WardLink.EventSourcing;
using WardLink.EventSourcing.Wards;

namespace WardLink.Partners;

/// <summary>
/// On start, partners records the deployment's home ward (<c>Wards:Home</c>) as a ward of its own when
/// its stream does not exist yet, as <see cref="Actor"/>: every directory then learns it from a real
/// WardEstablished (version 1) instead of configuration alone. Once only, whatever the restarts and
/// replicas: the stream's id is the ward's, so a second start finds it and a replica starting
/// alongside loses the race to create it.
/// </summary>
public sealed class HomeWardEstablishment(ISessionFactory sessions, IOptions<WardOptions> wards, TimeProvider clock) : IHostedService
{
    public const string Actor = "system";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var home = wards.Value.Home;
        using (WardContext.Enter(home.Id))
        {
            await using var session = sessions.OpenSession();
            var streamId = Ward.StreamIdOf(home.Id);
            if (await session.Events.FetchStreamStateAsync(streamId, cancellationToken) is not null)
            {
                return;
            }

            var decision = Ward.Establish(null, new EstablishWard(home.Id, home.Code, home.Name, home.Province, null, CodeTaken: false), clock.GetUtcNow(), Actor);
            if (decision.Rejection is { } rejection)
            {
                throw new InvalidOperationException($"{WardOptions.Section}:Home cannot be established: {rejection.Title}");
            }

            session.Events.StartStream<WardState>(streamId, decision.Events);
            try
            {
                await session.SaveChangesAsync(cancellationToken);
            }
            catch (ExistingStreamIdCollisionException)
            {
                // A replica starting alongside established it first.
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
