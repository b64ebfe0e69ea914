using IkeSharp.Crypto;
using IkeSharp.Engine.Negotiation;
using IkeSharp.Protocol;

namespace IkeSharp.Cli.Tests.Golden;

/// <summary>
/// IkeSharp's crypto against strongSwan 5.9.8's: from the DH secret and nonces strongSwan logged,
/// derive SKEYSEED, SK_* and Child SA KEYMAT and compare; decrypt every SK/SKF payload of the
/// capture with our own SK protection; recompute the PSK AUTH values strongSwan sent.
/// </summary>
public class StrongSwanCryptoCrossCheckTests
{
    public static TheoryData<string> Cases() => [.. StrongSwanCaptures.Cases];

    [Theory]
    [MemberData(nameof(Cases))]
    public void IKE_SA_keys_equal_strongSwans(string @case)
    {
        var messages = StrongSwanCaptures.Messages(@case);
        foreach (var sa in StrongSwanKeys.Load(@case).IkeSas)
        {
            using var keys = DeriveIkeSaKeys(messages, sa);

            Assert.Equal(Hex(sa, "sk_d"), Hex(keys.SkD));
            Assert.Equal(Hex(sa, "sk_ai"), Hex(keys.SkAi));
            Assert.Equal(Hex(sa, "sk_ar"), Hex(keys.SkAr));
            Assert.Equal(Hex(sa, "sk_ei"), Hex(keys.SkEi));
            Assert.Equal(Hex(sa, "sk_er"), Hex(keys.SkEr));
            Assert.Equal(Hex(sa, "sk_pi"), Hex(keys.SkPi));
            Assert.Equal(Hex(sa, "sk_pr"), Hex(keys.SkPr));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_encrypted_message_decrypts_to_what_strongSwan_logged(string @case)
    {
        var messages = StrongSwanCaptures.Messages(@case);
        var logged = StrongSwanCaptures.LoggedSummaries(@case);
        var decrypted = 0;
        foreach (var sa in StrongSwanKeys.Load(@case).IkeSas)
        {
            using var keys = DeriveIkeSaKeys(messages, sa);
            foreach (var message in Decrypt(messages, sa, keys))
            {
                Assert.Null(MessageRules.Check(message));
                Assert.Contains(message.ToString(), logged);
                decrypted++;
            }
        }

        Assert.True(decrypted >= 2, $"only {decrypted} encrypted messages found");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Child_SA_keys_equal_strongSwans(string @case)
    {
        var messages = StrongSwanCaptures.Messages(@case);
        foreach (var sa in StrongSwanKeys.Load(@case).IkeSas)
        {
            using var ikeKeys = DeriveIkeSaKeys(messages, sa);
            var prf = SelectedIkeSuite(messages, sa).Prf;
            var responses = Decrypt(messages, sa, ikeKeys)
                .Where(m => m.IsResponse && m.Exchange is ExchangeType.IKE_AUTH or ExchangeType.CREATE_CHILD_SA && m.Find<SecurityAssociationPayload>() is not null)
                .ToList();
            var children = sa.GetProperty("child_sas").EnumerateArray().ToList();
            Assert.Equal(children.Count, responses.Count);

            for (var i = 0; i < children.Count; i++)
            {
                var child = children[i];
                var pfs = StrongSwanKeys.Has(child, "pfs_dh_shared_secret") ? StrongSwanKeys.Bytes(child, "pfs_dh_shared_secret") : [];
                var seed = StrongSwanKeys.Bytes(child, "keymat_seed")[pfs.Length..];
                var (ni, nr) = (seed[..(seed.Length / 2)], seed[(seed.Length / 2)..]);
                using var childKeys = IkeKeyDerivation.DeriveChildSaKeys(prf, ikeKeys.SkD.Span, ChildSuite(responses[i]), ni, nr, pfs);

                Assert.Equal(Hex(child, "encr_key_i_to_r"), Hex(childKeys.EncryptionKeyInitiatorToResponder));
                Assert.Equal(Hex(child, "encr_key_r_to_i"), Hex(childKeys.EncryptionKeyResponderToInitiator));
                Assert.Equal(Hex(child, "integ_key_i_to_r"), Hex(childKeys.IntegrityKeyInitiatorToResponder));
                Assert.Equal(Hex(child, "integ_key_r_to_i"), Hex(childKeys.IntegrityKeyResponderToInitiator));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ESP_packets_strongSwan_sent_decrypt_to_the_ping(string @case)
    {
        var messages = StrongSwanCaptures.Messages(@case);
        var datagrams = IkeSharp.Cli.Capture.CaptureFile.ReadUdpDatagrams(Path.Combine(StrongSwanCaptures.Directory, @case + ".pcap")).ToDictionary(d => d.FrameNumber);
        var sa = StrongSwanKeys.Load(@case).IkeSas.First();
        using var ikeKeys = DeriveIkeSaKeys(messages, sa);
        var response = Decrypt(messages, sa, ikeKeys).First(m => m.Exchange == ExchangeType.IKE_AUTH && m.IsResponse);
        var suite = ChildSuite(response);
        var child = sa.GetProperty("child_sas")[0];
        var frames = child.GetProperty("esp_frames").EnumerateArray().Select(f => f.GetInt32()).ToList();
        Assert.Equal(2, frames.Count); // the ping's request and reply

        foreach (var frame in frames)
        {
            var packet = datagrams[frame].Payload.ToArray();
            var spi = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(packet);
            var fromInitiator = spi == Convert.ToUInt32(StrongSwanKeys.Text(child, "spi_i_to_r"), 16);
            var direction = fromInitiator ? "i_to_r" : "r_to_i";
            using var esp = EspProtection.Create(suite, StrongSwanKeys.Bytes(child, $"encr_key_{direction}"), StrongSwanKeys.Bytes(child, $"integ_key_{direction}"));
            var sequence = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(4));

            Assert.True(esp.TryOpen(packet, sequence, out var inner, out var nextHeader), $"frame {frame}: ICV check failed");
            var ip = packet[inner];
            if (nextHeader == 4)
            {
                Assert.Equal(0x45, ip[0]);
                Assert.Equal(1, ip[9]); // ICMP
            }
            else
            {
                Assert.Equal(41, nextHeader);
                Assert.Equal(58, ip[6]); // ICMPv6
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PSK_AUTH_values_equal_what_strongSwan_sent(string @case)
    {
        var messages = StrongSwanCaptures.Messages(@case);
        foreach (var sa in StrongSwanKeys.Load(@case).IkeSas)
        {
            using var keys = DeriveIkeSaKeys(messages, sa);
            var prf = Prf.Create(SelectedIkeSuite(messages, sa).Prf);
            foreach (var (side, realMessage, peerNonce, skP) in new[]
            {
                ("initiator_auth", "ike_sa_init_request", "nr", keys.SkPi),
                ("responder_auth", "ike_sa_init_response", "ni", keys.SkPr),
            })
            {
                if (!StrongSwanKeys.Has(sa, side) || !StrongSwanKeys.Has(sa.GetProperty(side), "psk"))
                {
                    continue; // signature authentication: checked by the signature tests
                }

                var auth = sa.GetProperty(side);
                var octets = AuthenticationOctets.Build(
                    StrongSwanKeys.Bytes(sa, realMessage), StrongSwanKeys.Bytes(sa, peerNonce), prf, skP.Span, StrongSwanKeys.Bytes(auth, "id_payload_body"));
                var value = new byte[prf.OutputSize];
                PskAuthentication.Compute(prf, System.Text.Encoding.UTF8.GetBytes(StrongSwanKeys.Text(auth, "psk")), octets, value);

                Assert.Equal(StrongSwanKeys.Text(auth, "octets"), Convert.ToHexString(octets).ToLowerInvariant());
                Assert.Equal(StrongSwanKeys.Text(auth, "auth"), Convert.ToHexString(value).ToLowerInvariant());
            }
        }
    }

    private static IkeSaKeys DeriveIkeSaKeys(IReadOnlyList<CapturedIkeMessage> messages, System.Text.Json.JsonElement sa)
        => IkeKeyDerivation.DeriveIkeSaKeys(
            SelectedIkeSuite(messages, sa),
            StrongSwanKeys.Bytes(sa, "dh_shared_secret"),
            StrongSwanKeys.Bytes(sa, "ni"),
            StrongSwanKeys.Bytes(sa, "nr"),
            StrongSwanKeys.Spi(sa, "spi_i"),
            StrongSwanKeys.Spi(sa, "spi_r"));

    /// <summary>The suite the responder selected, read from the captured IKE_SA_INIT response.</summary>
    private static IkeSaCipherSuite SelectedIkeSuite(IReadOnlyList<CapturedIkeMessage> messages, System.Text.Json.JsonElement sa)
    {
        var response = messages.Select(m => m.Message).First(m =>
            m.Exchange == ExchangeType.IKE_SA_INIT && m.IsResponse && m.Header.ResponderSpi == StrongSwanKeys.Spi(sa, "spi_r"));
        return NegotiatedSuite.ForIkeSa(Assert.Single(response.Find<SecurityAssociationPayload>()!.Proposals));
    }

    private static ChildSaCipherSuite ChildSuite(IkeMessage response)
        => NegotiatedSuite.ForChildSa(Assert.Single(response.Find<SecurityAssociationPayload>()!.Proposals));

    /// <summary>Decrypts every SK message of one IKE SA, reassembling SKF fragments (RFC 7383 §2.6).</summary>
    private static List<IkeMessage> Decrypt(IReadOnlyList<CapturedIkeMessage> messages, System.Text.Json.JsonElement sa, IkeSaKeys keys)
    {
        var suite = SelectedIkeSuite(messages, sa);
        using var fromInitiator = SkProtection.Create(suite.Encryption, suite.KeyLengthBits, suite.Integrity, keys.SkEi.Span, keys.SkAi.Span);
        using var fromResponder = SkProtection.Create(suite.Encryption, suite.KeyLengthBits, suite.Integrity, keys.SkEr.Span, keys.SkAr.Span);
        var result = new List<IkeMessage>();
        var fragments = new List<byte>();
        IkeMessage? firstFragment = null;
        foreach (var captured in messages.Where(m => m.Message.Header.InitiatorSpi == StrongSwanKeys.Spi(sa, "spi_i") && m.Message.Exchange != ExchangeType.IKE_SA_INIT))
        {
            var protection = captured.Message.Header.FromOriginalInitiator ? fromInitiator : fromResponder;
            var octets = (byte[])captured.Octets.Clone();
            var ivOffset = (captured.Message.Encrypted?.BodyOffset ?? captured.Message.EncryptedFragment!.BodyOffset);
            Assert.True(protection.TryOpen(octets, ivOffset, out var inner), $"frame {captured.Frame}: ICV check failed");

            if (captured.Message.EncryptedFragment is { } fragment)
            {
                firstFragment = fragment.FragmentNumber == 1 ? captured.Message : firstFragment;
                fragments.AddRange(octets[inner]);
                if (fragment.FragmentNumber < fragment.TotalFragments)
                {
                    continue;
                }

                Assert.True(firstFragment!.TryWithInnerPayloads(fragments.ToArray(), 0, out var reassembled, out var fragmentError), fragmentError.ToString());
                result.Add(reassembled);
                fragments.Clear();
                continue;
            }

            Assert.True(captured.Message.TryWithInnerPayloads(octets.AsMemory(inner), inner.Start.Value, out var decrypted, out var error), error.ToString());
            result.Add(decrypted);
        }

        return result;
    }

    private static string Hex(System.Text.Json.JsonElement element, string name) => StrongSwanKeys.Text(element, name).ToUpperInvariant();

    private static string Hex(SecretBuffer secret) => Convert.ToHexString(secret.Span);
}
