using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using IkeSharp.Protocol;

namespace IkeSharp.Crypto.Tests;

/// <summary>ESP sealing and opening (RFC 4303); strongSwan's own ESP packets are decrypted in the Cli golden tests.</summary>
public class EspProtectionTests
{
    public static readonly (EncryptionAlgorithm Encryption, int Bits, IntegrityAlgorithm Integrity)[] Suites =
    [
        (EncryptionAlgorithm.ENCR_AES_GCM_16, 128, IntegrityAlgorithm.NONE),
        (EncryptionAlgorithm.ENCR_AES_GCM_16, 256, IntegrityAlgorithm.NONE),
        (EncryptionAlgorithm.ENCR_CHACHA20_POLY1305, 0, IntegrityAlgorithm.NONE),
        (EncryptionAlgorithm.ENCR_AES_CBC, 128, IntegrityAlgorithm.AUTH_HMAC_SHA1_96),
        (EncryptionAlgorithm.ENCR_AES_CBC, 256, IntegrityAlgorithm.AUTH_HMAC_SHA2_256_128),
    ];

    private static (EspProtection Sender, EspProtection Receiver) Pair(int suiteIndex, bool esn)
    {
        var (encryption, bits, integrity) = Suites[suiteIndex];
        var suite = new ChildSaCipherSuite(encryption, bits, integrity, ExtendedSequenceNumbers: esn);
        var (e, i) = AlgorithmCatalog.GetCombination(encryption, bits, integrity);
        var key = Enumerable.Range(1, e.KeyMaterialLength).Select(b => (byte)b).ToArray();
        var integrityKey = Enumerable.Range(7, i.KeyLength).Select(b => (byte)b).ToArray();
        return (EspProtection.Create(suite, key, integrityKey), EspProtection.Create(suite, key, integrityKey));
    }

    [Property(MaxTest = 200)]
    public Property Sealed_packets_open_to_the_same_payload_for_every_suite()
        => Prop.ForAll(
            Gen.Choose(0, Suites.Length - 1).Zip(Gen.Choose(0, 1500)).Zip(Gen.Elements(false, true)).ToArbitrary(),
            t =>
            {
                var ((suite, length), esn) = t;
                var (sender, receiver) = Pair(suite, esn);
                using (sender)
                using (receiver)
                {
                    var payload = Enumerable.Range(0, length).Select(b => (byte)(b * 7)).ToArray();
                    var sequence = esn ? 0x1_0000_0005UL : 5UL;
                    var packet = new byte[sender.GetPacketLength(length)];
                    sender.Seal(0xc0ffee01, sequence, payload, 4, packet);
                    return receiver.TryOpen(packet, sequence, out var inner, out var next) && next == 4 && packet[inner].SequenceEqual(payload)
                        && (packet.Length - sender.HeaderSize - sender.IcvSize) % sender.Alignment == 0;
                }
            });

    [Property(MaxTest = 200)]
    public Property Any_flipped_bit_is_rejected()
        => Prop.ForAll(
            Gen.Choose(0, Suites.Length - 1).Zip(Gen.Choose(0, 10_000)).ToArbitrary(),
            t =>
            {
                var (suite, position) = t;
                var (sender, receiver) = Pair(suite, esn: false);
                using (sender)
                using (receiver)
                {
                    var packet = new byte[sender.GetPacketLength(100)];
                    sender.Seal(1, 1, new byte[100], 4, packet);
                    packet[position % packet.Length] ^= (byte)(1 << (position % 8));
                    return !receiver.TryOpen(packet, 1, out _, out _);
                }
            });

    /// <summary>
    /// One sender and one receiver carry packets of varying sizes in turn (their CBC contexts chain
    /// across packets); each packet must be exactly what .NET's one-shot AES-CBC makes with its IV.
    /// </summary>
    [Property(MaxTest = 50)]
    public Property A_long_lived_CBC_context_gives_what_one_shot_AES_CBC_gives_for_every_packet()
        => Prop.ForAll(
            Gen.Choose(0, 1500).ListOf().ToArbitrary(),
            lengths =>
            {
                var (sender, receiver) = Pair(4, esn: false);
                using (sender)
                using (receiver)
                using (var reference = System.Security.Cryptography.Aes.Create())
                {
                    reference.Key = Enumerable.Range(1, 32).Select(b => (byte)b).ToArray();
                    var sequence = 0UL;
                    foreach (var length in lengths)
                    {
                        var payload = Enumerable.Range(0, length).Select(b => (byte)(b + length)).ToArray();
                        var packet = new byte[sender.GetPacketLength(length)];
                        sender.Seal(7, ++sequence, payload, 4, packet);
                        var iv = packet.AsSpan(EspProtection.SpiAndSequenceSize, 16);
                        var expected = reference.DecryptCbc(packet.AsSpan(sender.HeaderSize, packet.Length - sender.HeaderSize - sender.IcvSize), iv, System.Security.Cryptography.PaddingMode.None);
                        if (!expected.AsSpan(0, length).SequenceEqual(payload)
                            || !receiver.TryOpen(packet, sequence, out var inner, out _) || !packet[inner].SequenceEqual(payload))
                        {
                            return false;
                        }
                    }

                    return true;
                }
            });

    [Fact]
    public void CBC_IVs_differ_from_packet_to_packet_past_a_refill()
    {
        var (sender, _) = Pair(3, esn: false);
        using (sender)
        {
            var ivs = new HashSet<string>();
            for (var i = 1; i <= 600; i++)
            {
                var packet = new byte[sender.GetPacketLength(16)];
                sender.Seal(1, (ulong)i, new byte[16], 4, packet);
                Assert.True(ivs.Add(Convert.ToHexString(packet, EspProtection.SpiAndSequenceSize, 16)));
            }
        }
    }

    [Fact]
    public void With_ESN_the_unsent_high_half_is_authenticated()
    {
        var (sender, receiver) = Pair(0, esn: true);
        using (sender)
        using (receiver)
        {
            var packet = new byte[sender.GetPacketLength(64)];
            sender.Seal(1, 0x2_0000_0001, new byte[64], 4, packet);

            Assert.False(receiver.TryOpen((byte[])packet.Clone(), 0x1_0000_0001, out _, out _));
            Assert.True(receiver.TryOpen(packet, 0x2_0000_0001, out _, out _));
        }
    }

    [Fact]
    public void Padding_is_1_2_3_and_aligned()
    {
        var (sender, receiver) = Pair(3, esn: false);
        using (sender)
        using (receiver)
        {
            var packet = new byte[sender.GetPacketLength(21)];
            sender.Seal(1, 1, new byte[21], 41, packet);
            Assert.True(receiver.TryOpen(packet, 1, out _, out var next));

            var plaintext = packet.AsSpan(sender.HeaderSize, packet.Length - sender.HeaderSize - sender.IcvSize);
            Assert.Equal(32, plaintext.Length); // 21 + 9 padding + 2, a multiple of the AES block
            Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 41], plaintext[21..].ToArray());
            Assert.Equal(41, next);
        }
    }
}
