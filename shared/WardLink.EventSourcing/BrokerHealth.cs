using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WardLink.EventSourcing;

/// <summary>
/// Readiness of the broker as the service sees it: RabbitMQ's port answers a connection within
/// <see cref="Timeout"/>. MassTransit's own bus check learns that its connection died only when it
/// notices; this check turns the moment the broker is gone (killed, unreachable), so readiness
/// follows it within one probe.
/// </summary>
public sealed class BrokerHealthCheck(IConfiguration configuration) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var broker = BrokerAddress.Parse(configuration.GetConnectionString(Messaging.ConnectionName) ?? string.Empty);
        using var answered = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        answered.CancelAfter(Timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(broker.Host, broker.Port, answered.Token);
            return HealthCheckResult.Healthy($"RabbitMQ at {broker.Host}:{broker.Port} answers.");
        }
        catch (Exception refused) when (refused is SocketException || (refused is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return HealthCheckResult.Unhealthy($"RabbitMQ at {broker.Host}:{broker.Port} does not answer.");
        }
    }
}
