using System.Security.Cryptography;
using CsCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using WardLink.Audit;
using WardLink.Contracts.Audit;
using WardLink.ServiceDefaults;

namespace WardLink.UnitTests;

/// <summary>
/// Checkpoints signed by the service that took them: a signature verifies against that service's
/// key only, over every field; the verifier treats a checkpoint its service did not sign as a break,
/// one that carries no signature even without keys to check signatures with.
/// </summary>
public sealed class CheckpointSignatureTests
{
    private static readonly ECDsa TipsKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly ECDsa OtherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly CheckpointSigner Tips = new(new ServiceIdentity("tips"), TipsKey);
    private static readonly CheckpointKeys Keys = new(new Dictionary<string, string> { ["tips"] = TipsKey.ExportSubjectPublicKeyInfoPem() });

    private static readonly Gen<ChainCheckpointed> Checkpoints =
        Gen.Select(Gen.Long[1, long.MaxValue], Gen.Long[1, long.MaxValue], Gen.Byte.Array[32], Gen.DateTimeOffset, (sequence, position, head, at) =>
            Tips.Sign(sequence, position, Convert.ToHexStringLower(head), at));

    [Fact]
    public void A_checkpoint_verifies_against_its_services_key_to_the_microsecond_it_is_stored_with()
    {
        Checkpoints.Sample(checkpoint =>
        {
            Assert.Equal(SignatureCheck.Valid, Keys.Check(checkpoint));
            Assert.Equal(0, checkpoint.At.UtcTicks % 10);
            Assert.Equal(TimeSpan.Zero, checkpoint.At.Offset);
        });
    }

    [Fact]
    public void Any_field_changed_after_signing_makes_it_a_forgery()
    {
        Gen.Select(Checkpoints, Gen.Int[0, 4]).Sample((checkpoint, field) =>
        {
            var changed = field switch
            {
                0 => checkpoint with { Sequence = checkpoint.Sequence ^ 1 },
                1 => checkpoint with { Position = checkpoint.Position ^ 1 },
                2 => checkpoint with { Head = (checkpoint.Head[0] == 'a' ? "b" : "a") + checkpoint.Head[1..] },
                3 => checkpoint with { At = checkpoint.At.AddTicks(checkpoint.At.UtcTicks > 10 ? -10 : 10) },
                _ => checkpoint with { Service = "patrols" },
            };

            Assert.NotEqual(SignatureCheck.Valid, Keys.Check(changed));
        });
    }

    [Fact]
    public void Another_key_no_signature_a_garbled_one_and_an_unknown_service_are_each_refused()
    {
        var real = Tips.Sign(7, 7, new string('a', 64), new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var forged = new CheckpointSigner(new ServiceIdentity("tips"), OtherKey).Sign(7, 7, new string('a', 64), real.At);

        Assert.Equal(SignatureCheck.Forged, Keys.Check(forged));
        Assert.Equal(SignatureCheck.NoSignature, Keys.Check(real with { Signature = null }));
        Assert.Equal(SignatureCheck.Forged, Keys.Check(real with { Signature = "not base64!" }));
        Assert.Equal(SignatureCheck.Forged, Keys.Check(real with { Signature = Convert.ToBase64String(new byte[64]) }));
        Assert.Equal(SignatureCheck.UnknownService, Keys.Check(real with { Service = "ghosts" }));
    }

    [Fact]
    public void The_verifier_breaks_at_the_first_checkpoint_its_service_did_not_sign_and_says_which_verify()
    {
        var (entries, heads) = HashChainTests.Log(4);
        var at = new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var copies = new[]
        {
            CopyOf("partners", Tips.Sign(2, 2, heads[1], at)),
            CopyOf("partners", new CheckpointSigner(new ServiceIdentity("tips"), OtherKey).Sign(3, 3, heads[2], at)),
            CopyOf("incidents", Tips.Sign(4, 4, heads[3], at) with { Signature = null }),
        };

        var checkedReport = Verify(entries, Keys, copies);
        var uncheckedReport = Verify(entries, null, copies);

        Assert.False(checkedReport.Intact);
        Assert.Equal((3L, BreakKind.SignatureInvalid), (checkedReport.FirstBroken!.Sequence, checkedReport.FirstBroken.Kind));
        Assert.Equal([true, false, false], checkedReport.Checkpoints.Select(verdict => verdict.SignatureValid));
        Assert.Equal(2, checkedReport.Unwitnessed.WitnessedThrough);
        // Without keys a signature cannot be checked, but its absence is seen: the unsigned one is still the break.
        Assert.False(uncheckedReport.Intact);
        Assert.Equal((4L, BreakKind.SignatureInvalid), (uncheckedReport.FirstBroken!.Sequence, uncheckedReport.FirstBroken.Kind));
        Assert.Equal([null, null, false], uncheckedReport.Checkpoints.Select(verdict => verdict.SignatureValid));
    }

    [Fact]
    public void Development_gets_the_repository_keys_of_the_service_that_pair_and_no_other_environment_gets_any()
    {
        var development = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        development.AddDevelopmentAuditKeys("tips");
        var options = development.Configuration.GetSection(AuditOptions.Section).Get<AuditOptions>()!;
        var signer = new CheckpointSigner(new ServiceIdentity("tips"), CheckpointSignature.Load(options.SigningKey, "Audit:SigningKey"));

        Assert.Equal(["incidents", "partners", "patrols", "tips"], options.PublicKeys.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(SignatureCheck.Valid, new CheckpointKeys(options.PublicKeys).Check(signer.Sign(1, 1, new string('0', 64), DateTimeOffset.UnixEpoch)));
        Assert.Equal(SignatureCheck.Forged, new CheckpointKeys(options.PublicKeys).Check(signer.Sign(1, 1, new string('0', 64), DateTimeOffset.UnixEpoch) with { Service = "patrols" }));

        foreach (var environment in new[] { "Production", "Testing" })
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
            builder.AddDevelopmentAuditKeys("tips");
            Assert.Null(builder.Configuration[$"{AuditOptions.Section}:SigningKey"]);
            Assert.Empty(builder.Configuration.GetSection($"{AuditOptions.Section}:PublicKeys").GetChildren());
        }
    }

    private static CheckpointCopy CopyOf(string holder, ChainCheckpointed checkpoint) =>
        new(holder, checkpoint.Sequence, checkpoint.Position, checkpoint.Head, checkpoint.At, checkpoint.Signature);

    private static IntegrityReport Verify(IEnumerable<AuditEntry> entries, CheckpointKeys? keys, params CheckpointCopy[] checkpoints)
    {
        var verifier = new ChainVerifier("tips", checkpoints, keys);
        foreach (var entry in entries)
        {
            verifier.Add(entry);
        }

        return verifier.Report();
    }
}
