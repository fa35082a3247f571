using System.ComponentModel.DataAnnotations;

namespace WardLink.Audit;

/// <summary>Configuration of the audit (<c>Audit:</c> section).</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>A checkpoint of the chain head every this many chained events.</summary>
    [Range(1, int.MaxValue)]
    public int CheckpointEvery { get; set; } = 100;

    /// <summary>And at least this often while new events arrived, so a quiet service's last events are covered too.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often checkpoints due by time are looked for and stored ones published.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one publish of a checkpoint may wait for the broker before it is retried on a later poll.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>This service's ECDSA P-256 private key (PEM, PKCS#8): it signs every checkpoint the service takes.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Every service's ECDSA P-256 public key (PEM) by service name: a checkpoint is kept or trusted only when its service's key verifies it.</summary>
    public Dictionary<string, string> PublicKeys { get; set; } = new(StringComparer.Ordinal);
}
