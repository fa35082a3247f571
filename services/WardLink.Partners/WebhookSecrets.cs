using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using WardLink.Domain;
using WardLink.EventSourcing;

namespace WardLink.Partners;

/// <summary>A secret a rotation replaced, sealed, and until when it still signs.</summary>
public sealed record ReplacedSecret(SealedData Secret, DateTimeOffset ValidUntil);

/// <summary>
/// A subscription's signing secrets, sealed: the current one, and those it replaced that still signed when it was last
/// rotated, newest first. <paramref name="Previous"/> and <paramref name="PreviousValidUntil"/> are how earlier versions kept
/// a subscription's one replaced secret: read as one of <paramref name="Replaced"/>, and moved there by the next rotation.
/// </summary>
public sealed record WebhookSecret(
    Guid Id, SealedData Current, IReadOnlyList<ReplacedSecret>? Replaced = null, SealedData? Previous = null, DateTimeOffset? PreviousValidUntil = null) : ISealedDocument
{
    /// <summary>The replaced secrets that still sign at <paramref name="now"/>, newest first.</summary>
    public IReadOnlyList<ReplacedSecret> ReplacedStillSigningAt(DateTimeOffset now) =>
        [.. (Replaced ?? []).Concat(Previous is { } previous && PreviousValidUntil is { } until ? [new ReplacedSecret(previous, until)] : []).Where(replaced => replaced.ValidUntil > now)];
}

/// <summary>
/// Issues signing secrets (<c>whsec_</c> and 32 random bytes in base64, as Standard Webhooks
/// libraries read them) and keeps them sealed with the service's <see cref="SealingKey"/>, bound to
/// their subscription, so a database reader learns none and cannot move one to another subscription: each opens only for the
/// webhook its document was loaded for (<see cref="SealedDocument{T}.RecordId"/>), never for the one the document names.
/// </summary>
public sealed partial class WebhookSecrets(SealingKey key, ILogger<WebhookSecrets> logger)
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
    /// and so does each one replaced before that still signs (a second rotation loses none a receiver may still hold). A kept
    /// secret that does not open (its document changed in the database, or moved from another webhook) signs nothing and is
    /// dropped, with a warning: the rotation replaces a damaged secret. Null when <paramref name="kept"/> has no row.
    /// </summary>
    public WebhookSecret? Rotate(SealedDocument<WebhookSecret> kept, string secret, DateTimeOffset now, DateTimeOffset replacedValidUntil) =>
        kept.Exists
            ? new(kept.RecordId, Seal(kept.RecordId, secret), [.. Opened(kept, now, replacedValidUntil).Where(opened => opened.Secret is not null).Select(opened => opened.Sealed)])
            : null;

    /// <summary>
    /// The secrets a delivery at <paramref name="now"/> is signed with: the current one first, then the replaced ones still signing
    /// that open (one that does not is left out, with a warning); null when the current one does not open (with a warning), or
    /// there is none: nothing can be signed.
    /// </summary>
    public IReadOnlyList<string>? SigningAt(SealedDocument<WebhookSecret> kept, DateTimeOffset now) =>
        Opened(kept, now, DateTimeOffset.MaxValue).ToList() is [{ Secret: not null }, ..] opened ? [.. opened.Select(secret => secret.Secret).OfType<string>()] : null;

    /// <summary>
    /// The kept secrets that sign at <paramref name="now"/>, the current one first (as replaced, valid until
    /// <paramref name="currentValidUntil"/>), each opened bound to the webhook <paramref name="kept"/> was loaded for, its text null
    /// when it does not open (a warning naming the webhook, the secret and what failed); none when the document does not read.
    /// </summary>
    private IEnumerable<(ReplacedSecret Sealed, string? Secret)> Opened(SealedDocument<WebhookSecret> kept, DateTimeOffset now, DateTimeOffset currentValidUntil)
    {
        if (kept.Document is not { } document)
        {
            if (kept.Damage is { } damage)
            {
                DoesNotOpen(kept.RecordId, "document", damage);
            }

            yield break;
        }

        var secrets = new[] { ("current", new ReplacedSecret(document.Current, currentValidUntil)) }
            .Concat(document.ReplacedStillSigningAt(now).Select((replaced, index) => ($"replaced {index + 1}", replaced)));
        foreach (var (which, secret) in secrets)
        {
            var (plaintext, failure) = kept.Open(key, _ => secret.Secret);
            if (failure is not null)
            {
                DoesNotOpen(kept.RecordId, which, failure);
            }

            yield return (secret, plaintext is null ? null : Encoding.UTF8.GetString(plaintext));
        }
    }

    private SealedData Seal(Guid webhookId, string secret) => key.Seal(Encoding.UTF8.GetBytes(secret), webhookId.ToByteArray());

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sealed signing secret of webhook {WebhookId} ({Which}) does not open ({Failure}): sealed with another Webhooks:SecretKey, moved from another webhook or changed in the database; it signs nothing, and a rotation drops it")]
    private partial void DoesNotOpen(Guid webhookId, string which, string failure);
}
