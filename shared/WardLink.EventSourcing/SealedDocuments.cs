using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marten;
using WardLink.Domain;

namespace WardLink.EventSourcing;

/// <summary>
/// A document that keeps data sealed by a <see cref="SealingKey"/>, bound (AES-GCM's associated data) to the record it belongs
/// to: the record whose id it is stored under (a tip's contact, a webhook's secrets).
/// </summary>
public interface ISealedDocument
{
    /// <summary>The id the document names itself by; it opens only when it is the id it was loaded by.</summary>
    Guid Id { get; }
}

/// <summary>
/// A sealed document as loaded for record <see cref="RecordId"/> (<see cref="SealedDocuments.LoadSealedAsync"/>): its
/// <see cref="Document"/>, or the <see cref="Damage"/> of a row that is there but does not read as one that belongs to the record
/// (changed in the database, moved from another record: what failed, never a byte of it), or neither when there is no row. What
/// it holds opens with <see cref="RecordId"/>, the id it was asked for, never with one the stored document carries: a document
/// copied whole into another record's row does not open there.
/// </summary>
public sealed record SealedDocument<T>(Guid RecordId, T? Document, string? Damage)
    where T : class, ISealedDocument
{
    /// <summary>Whether a row is kept for the record, readable or not: an erasure or a replacement has something to remove.</summary>
    public bool Exists => Document is not null || Damage is not null;

    /// <summary>
    /// The plaintext of the part of <see cref="Document"/> that <paramref name="part"/> names, opened with <paramref name="key"/>
    /// bound to <see cref="RecordId"/>, or why it does not open: the document's damage, a part missing or cut short, another key
    /// or another record's (the failure's name). Neither when there is no document.
    /// </summary>
    public (byte[]? Plaintext, string? Failure) Open(SealingKey key, Func<T, SealedData?> part)
    {
        if (Document is null)
        {
            return (null, Damage);
        }

        try
        {
            return (key.Open(part(Document) ?? throw new CryptographicException("A sealed value is missing."), RecordId.ToByteArray()), null);
        }
        catch (Exception failed) when (failed is CryptographicException or ArgumentException)
        {
            return (null, failed.GetType().Name);
        }
    }
}

/// <summary>Loads sealed documents so that one that does not read, or names another record, is told apart from none.</summary>
public static class SealedDocuments
{
    /// <summary>
    /// The sealed document kept for record <paramref name="id"/>, read from its row's JSON here rather than by Marten's load,
    /// which throws on a row that does not read as a <typeparamref name="T"/> (a field of the wrong type, data that is no object):
    /// such a row, one that is JSON <c>null</c>, and one whose own id is not <paramref name="id"/> (moved from another record) are
    /// its <see cref="SealedDocument{T}.Damage"/>.
    /// </summary>
    public static async Task<SealedDocument<T>> LoadSealedAsync<T>(this IQuerySession session, Guid id, CancellationToken ct)
        where T : class, ISealedDocument
    {
        if (await session.Json.FindByIdAsync<T>(id, ct) is not { } json)
        {
            return new(id, null, null);
        }

        T? document;
        try
        {
            using var data = new MemoryStream(Encoding.UTF8.GetBytes(json));
            document = session.DocumentStore.Options.Serializer().FromJson<T>(data);
        }
        catch (Exception unreadable) when (unreadable is JsonException or NotSupportedException or InvalidOperationException or FormatException)
        {
            return new(id, null, unreadable is JsonException { Path: { } path } ? $"{unreadable.GetType().Name} at {path}" : unreadable.GetType().Name);
        }

        return document is null ? new(id, null, "no document (null)")
            : document.Id != id ? new(id, null, "its id names another record")
            : new(id, document, null);
    }
}
