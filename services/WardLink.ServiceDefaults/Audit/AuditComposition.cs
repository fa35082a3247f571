using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace WardLink.ServiceDefaults.Audit;

public static class AuditComposition
{
    /// <summary>
    /// The audit of every service: its storage and log reader, the states its streams rebuild to,
    /// and the checkpoints taken by time and published. The chain itself is a subscription of the
    /// event store (<see cref="EventStore"/>); the endpoints are mapped by <see cref="WardLinkApp"/>.
    /// </summary>
    public static IHostApplicationBuilder AddWardLinkAudit(this IHostApplicationBuilder builder, AuditedStates states)
    {
        builder.Services.AddOptions<AuditOptions>()
            .BindConfiguration(AuditOptions.Section)
            .Validate(options => options.CheckpointEvery >= 1 && options.CheckpointInterval > TimeSpan.Zero && options.PollInterval > TimeSpan.Zero,
                "Audit:CheckpointEvery must be at least 1, Audit:CheckpointInterval and Audit:PollInterval positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton(states);
        builder.Services.AddSingleton<AuditStorage>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddHostedService<ChainCheckpoints>();
        return builder;
    }
}
