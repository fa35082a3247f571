using System.Security.Cryptography;
using System.Text;
using WardLink.Domain;

namespace WardLink.Partners;

/// <summary>A secret a rotation replaced, sealed, and until when it still signs.</summary>
public sealed record ReplacedSecret(SealedData Secret, DateTimeOffset ValidUntil);

/// <summary>
/// A subscription's signing secrets, sealed: the current one, and those it replaced that still signed when it was last
/// rotated, newest first. <paramref name="Previous"/> and <paramref name="PreviousValidUntil"/> are how earlier versions kept
/// a subscription's one replaced secret: read as one of <paramref name="Replaced"/>, and moved there by the next rotation.
/// </summary>
public sealed record WebhookSecret(
    Guid Id, SealedData Current, IReadOnlyList<ReplacedSecret>? Replaced = null, SealedData? Previous = null, DateTimeOffset? PreviousValidUntil = null)
{
    /// <summary>The replaced secrets that still sign at <paramref name="now"/>, newest first.</summary>
    public IReadOnlyList<ReplacedSecret> ReplacedStillSigningAt(DateTimeOffset now) =>
        [.. (Replaced ?? []).Concat(Previous is { } previous && PreviousValidUntil is { } until ? [new ReplacedSecret(previous, until)] : []).Where(replaced => replaced.ValidUntil > now)];
}

/// <summary>
/// Issues signing secrets (<c>whsec_</c> and 32 random bytes in base64, as Standard Webhooks
/// libraries read them) and keeps them sealed with the service's <see cref="SealingKey"/>, bound to
/// their subscription, so a database reader learns none and cannot move one to another subscription.
/// </summary>
public sealed class WebhookSecrets(SealingKey key)
{
    public const string Prefix = "whsec_";
    public const int MaxSecretLength = 64;

    /// <summary>
    /// A new secret whose base64 holds no <c>+</c> (drawn again until so: two draws on average, one bit of 256 less): the answer
    /// that shows it once writes a <c>+</c> as <c>\u002B</c>, as JSON answers do, and a secret copied from the raw answer would
    /// then decode to other bytes, every signature failing unseen.
    /// </summary>
    public static string NewSecret()
    {
        string secret;
        do
        {
            secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        }
        while (secret.Contains('+', StringComparison.Ordinal));

        return Prefix + secret;
    }

    public WebhookSecret Issue(Guid webhookId, string secret) => new(webhookId, Seal(webhookId, secret));

    /// <summary>
    /// The new secret signs from <paramref name="now"/>; the replaced one also signs until <paramref name="replacedValidUntil"/>,
    /// and so does each one replaced before that still signs (a second rotation loses none a receiver may still hold).
    /// </summary>
    public WebhookSecret Rotate(WebhookSecret kept, string secret, DateTimeOffset now, DateTimeOffset replacedValidUntil) =>
        new(kept.Id, Seal(kept.Id, secret), [new ReplacedSecret(kept.Current, replacedValidUntil), .. kept.ReplacedStillSigningAt(now)]);

    /// <summary>The secrets a delivery at <paramref name="now"/> is signed with: the current one first, then the replaced ones still signing.</summary>
    public IReadOnlyList<string> SigningAt(WebhookSecret kept, DateTimeOffset now) =>
        [Open(kept.Id, kept.Current), .. kept.ReplacedStillSigningAt(now).Select(replaced => Open(kept.Id, replaced.Secret))];

    private SealedData Seal(Guid webhookId, string secret) => key.Seal(Encoding.UTF8.GetBytes(secret), webhookId.ToByteArray());

    private string Open(Guid webhookId, SealedData sealedSecret) => Encoding.UTF8.GetString(key.Open(sealedSecret, webhookId.ToByteArray()));
}
