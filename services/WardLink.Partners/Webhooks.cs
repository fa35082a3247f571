using System.ComponentModel.DataAnnotations;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Options;
using WardLink.Domain;
using WardLink.ServiceDefaults;

namespace WardLink.Partners;

/// <summary>The <c>Webhooks</c> configuration section: the key secrets are sealed with, where deliveries may go, how they are retried.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>The AES-256 key that seals the signing secrets at rest, base64 of 32 bytes (<c>Webhooks:SecretKey</c>).</summary>
    [Required(ErrorMessage = "Webhooks:SecretKey is not set: give the partners service a base64 AES-256 key (32 bytes) to seal webhook signing secrets.")]
    public string? SecretKey { get; set; }

    /// <summary>Allow http:// and private, loopback and link-local targets; null: only in Development. Tests set it for their receivers on loopback.</summary>
    public bool? AllowLocalTargets { get; set; }

    /// <summary>How long one attempt may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The first retry's delay; each next one doubles, up to <see cref="MaxRetryInterval"/>, each with jitter (between half and all of it).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan FirstRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan MaxRetryInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a delivery is retried; when it fails for all of it, the sender gives up and disables the webhook.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "30.00:00:00")]
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the sender looks for deliveries that are due.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public RetrySchedule Schedule => new(FirstRetryAfter, MaxRetryInterval, RetryFor);

    public static bool IsValidKey(string key)
    {
        var bytes = new byte[32];
        return Convert.TryFromBase64String(key, bytes, out var written) && written == 32;
    }
}

public static class WebhookComposition
{
    /// <summary>The webhook options (validated on start), the sealing key, the secrets, the sender and its HTTP client.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddSettings<WebhookOptions>(WebhookOptions.Section)
            .Validate(webhooks => webhooks.SecretKey is null || WebhookOptions.IsValidKey(webhooks.SecretKey), "Webhooks:SecretKey must be base64 of exactly 32 bytes (an AES-256 key).")
            .Validate(webhooks => webhooks.MaxRetryInterval >= webhooks.FirstRetryAfter, "Webhooks:MaxRetryInterval must be at least Webhooks:FirstRetryAfter.");
        services.AddSingleton(provider => new SealingKey(Convert.FromBase64String(provider.GetRequiredService<IOptions<WebhookOptions>>().Value.SecretKey!)));
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookTargetPolicy>();
        services.AddSingleton(provider => new EndpointAddressForm(provider.GetRequiredService<WebhookTargetPolicy>().AllowLocalTargets));
        services.AddSingleton<WebhookMetrics>();
        // No log line of its own: HttpClient's name each call's address, whose path may hold the receiver's secret.
        services.AddHttpClient(WebhookSender.ClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(provider =>
            {
                var policy = provider.GetRequiredService<WebhookTargetPolicy>();
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseProxy = false,
                    UseCookies = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(1),
                    ConnectCallback = (context, ct) => WebhookTargets.ConnectAsync(context.DnsEndPoint, policy.AllowLocalTargets, ct),
                };
            });
        services.AddSingleton<WebhookSender>();
        services.AddHostedService(provider => provider.GetRequiredService<WebhookSender>());
        services.AddSingleton<WebhookQueueing>();
        services.AddWebhookDocument();
        return services;
    }

    /// <summary>Subscriptions as inline snapshots (a partner's list), deliveries under optimistic concurrency (the sender's claim), sealed secrets.</summary>
    public static void AddWebhookStorage(StoreOptions store)
    {
        store.Projections.Snapshot<WebhookState>(SnapshotLifecycle.Inline);
        store.Schema.For<WebhookDelivery>().UseOptimisticConcurrency(true).Index(delivery => delivery.WebhookId).Index(delivery => delivery.NextAttemptAt);
        store.Schema.For<WebhookSecret>();
    }
}

/// <summary>Whether local targets are allowed here: as configured, else only in Development.</summary>
public sealed class WebhookTargetPolicy(IOptions<WebhookOptions> options, IHostEnvironment environment)
{
    public bool AllowLocalTargets { get; } = options.Value.AllowLocalTargets ?? environment.IsDevelopment();
}
