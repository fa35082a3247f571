using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WardLink.Audit;
using WardLink.ServiceDefaults;

namespace WardLink.EventSourcing.Audit;

public static class AuditComposition
{
    /// <summary>
    /// The audit of every service: its storage and log reader, the states its streams rebuild to,
    /// the checkpoints taken by time, signed with the service's key and published, and the peers'
    /// public keys their checkpoints are checked with (outside Development the keys must be
    /// configured: the service does not start without them). The chain itself is a subscription of
    /// the event store (<see cref="EventStore"/>); the endpoints are mapped by <see cref="WardLinkApp"/>.
    /// </summary>
    public static IHostApplicationBuilder AddWardLinkAudit(this IHostApplicationBuilder builder, string serviceName, AuditedStates states)
    {
        builder.AddDevelopmentAuditKeys(serviceName);
        builder.Services.AddSettings<AuditOptions>(AuditOptions.Section)
            .Validate(options => CheckpointSignature.IsValidKey(options.SigningKey, needsPrivate: true),
                $"Audit:SigningKey is not set or not an ECDSA P-256 private key (PEM): give the {serviceName} service the key it signs its checkpoints with.")
            .Validate(options => options.PublicKeys.Count > 0 && options.PublicKeys.Values.All(key => CheckpointSignature.IsValidKey(key, needsPrivate: false)),
                "Audit:PublicKeys must give every service's ECDSA P-256 public key (PEM), as Audit:PublicKeys:{service}.");
        builder.Services.AddSingleton(provider => new CheckpointSigner(
            provider.GetRequiredService<ServiceIdentity>(), CheckpointSignature.Load(provider.GetRequiredService<IOptions<AuditOptions>>().Value.SigningKey, "Audit:SigningKey")));
        // The service checks its own stored checkpoints with the public half of the key it signs them with.
        builder.Services.AddSingleton(provider => new CheckpointKeys(new Dictionary<string, string>(provider.GetRequiredService<IOptions<AuditOptions>>().Value.PublicKeys)
        {
            [serviceName] = provider.GetRequiredService<CheckpointSigner>().PublicKeyPem,
        }));
        builder.Services.AddSingleton<CheckpointsRefused>();
        builder.Services.AddSingleton(states);
        builder.Services.AddSingleton<AuditStorage>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddHostedService<ChainCheckpoints>();
        return builder;
    }
}
