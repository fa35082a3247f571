using System.Security.Cryptography;
using System.Text;
using WardLink.Domain;

namespace WardLink.Partners;

/// <summary>A subscription's signing secrets, sealed: the current one, and the one it replaced while that still signs.</summary>
public sealed record WebhookSecret(Guid Id, SealedData Current, SealedData? Previous, DateTimeOffset? PreviousValidUntil);

/// <summary>
/// Issues signing secrets (<c>whsec_</c> and 32 random bytes in base64, as Standard Webhooks
/// libraries read them) and keeps them sealed with the service's <see cref="SealingKey"/>, bound to
/// their subscription, so a database reader learns none and cannot move one to another subscription.
/// </summary>
public sealed class WebhookSecrets(SealingKey key)
{
    public const string Prefix = "whsec_";
    public const int MaxSecretLength = 64;

    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public WebhookSecret Issue(Guid webhookId, string secret) => new(webhookId, Seal(webhookId, secret), null, null);

    /// <summary>The new secret signs from now; the replaced one also signs until <paramref name="previousValidUntil"/>.</summary>
    public WebhookSecret Rotate(WebhookSecret kept, string secret, DateTimeOffset previousValidUntil) =>
        new(kept.Id, Seal(kept.Id, secret), kept.Current, previousValidUntil);

    /// <summary>The secrets a delivery at <paramref name="now"/> is signed with: the current one first.</summary>
    public IReadOnlyList<string> SigningAt(WebhookSecret kept, DateTimeOffset now) =>
        kept.Previous is { } previous && kept.PreviousValidUntil > now ? [Open(kept.Id, kept.Current), Open(kept.Id, previous)] : [Open(kept.Id, kept.Current)];

    private SealedData Seal(Guid webhookId, string secret) => key.Seal(Encoding.UTF8.GetBytes(secret), webhookId.ToByteArray());

    private string Open(Guid webhookId, SealedData sealedSecret) => Encoding.UTF8.GetString(key.Open(sealedSecret, webhookId.ToByteArray()));
}
