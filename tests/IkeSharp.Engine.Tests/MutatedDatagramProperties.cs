using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace IkeSharp.Engine.Tests;

/// <summary>
/// A mutation fuzzer of the engine's receive path on a fake clock: while two engines establish a
/// tunnel, rekey it and delete a Child SA, every datagram on the wire reaches its receiver also as
/// mutated copies (bit flips, truncations, inserted and overwritten octets, a length field or next
/// payload set at random), before or after the real one. The receiver must drop them, never fail
/// internally, and the real exchange must still complete. (The coverage-guided campaign is another
/// matter; this runs in every test run.)
/// </summary>
public class MutatedDatagramProperties
{
    [Property(MaxTest = 40)]
    public Property Mutated_copies_of_every_message_are_dropped_and_the_tunnel_still_comes_up_and_rekeys(int seed)
    {
        var random = new Random(seed);
        var lab = new Lab();
        var mutated = 0;
        (Node To, SendDatagram Sent)? previous = null;
        void MutateCopies()
        {
            for (var i = 0; previous is { } p && i < 8; i++)
            {
                p.To.Engine.Receive(p.Sent.Remote, p.Sent.Local, Mutate(p.Sent.Datagram, random));
                mutated++;
            }
        }

        // The copies of each datagram arrive after it, when the next one is sent: mutated IKE_SA_INITs
        // ahead of the real one would be half-open SAs from the initiator's own address, over
        // block_threshold the responder would ask it for a COOKIE, and the traces would differ by seed.
        lab.Lose = (from, sent) =>
        {
            MutateCopies();
            previous = (lab.Peer(from), sent);
            return false;
        };

        lab.Establish();
        lab.Alice.Engine.Rekey("net", child: null, ike: false);
        lab.Run(TimeSpan.FromSeconds(2));
        lab.Alice.Engine.Rekey("net", child: null, ike: true);
        lab.Run(TimeSpan.FromSeconds(2));
        MutateCopies();
        lab.Pump();

        var internalErrors = lab.Log.Where(l => l.Contains("internal error", StringComparison.Ordinal)).ToList();
        // Mutated IKE_SA_INITs may leave half-open SAs at bob until half_open_timeout: only established ones count.
        bool Up(Node node) => node.Engine.GetStatus().Where(s => s.State == IkeSharp.Engine.Sa.IkeSaState.Established).ToList() is [{ Children.Length: 1 }];
        var up = Up(lab.Alice) && Up(lab.Bob);
        return (internalErrors.Count == 0 && up && mutated > 0).Label($"seed {seed}: {mutated} mutated; up {up}; {string.Join("\n", internalErrors.Take(3))}");
    }

    private static byte[] Mutate(byte[] datagram, Random random)
    {
        var bytes = datagram.ToList();
        for (var n = random.Next(1, 4); n > 0 && bytes.Count > 0; n--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes.RemoveRange(at, bytes.Count - at); // truncated
                    break;
                case 2:
                    bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 9)).Select(_ => (byte)random.Next(256)));
                    break;
                case 3:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 4 when bytes.Count >= 28:
                    // the IKE header's length (octets 24..27), or a payload's (any 16-bit field)
                    var field = random.Next(2) == 0 ? 24 + random.Next(3) : at & ~1;
                    bytes[field] = (byte)random.Next(256);
                    break;
                default:
                    bytes[at] = (byte)new[] { 0, 33, 34, 35, 36, 39, 40, 41, 42, 43, 44, 46, 53, 255 }[random.Next(14)]; // a next-payload value
                    break;
            }
        }

        return [.. bytes];
    }
}
