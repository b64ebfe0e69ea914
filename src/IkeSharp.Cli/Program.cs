using System.CommandLine;
using IkeSharp.Cli.Config;
using IkeSharp.Cli.Control;
using IkeSharp.Cli.Decode;

var root = new RootCommand("ikesharp: IKEv2 tools and control of the IkeSharp daemon")
{
    DecodeCommand.Create(),
    ConfigCommands.Create(),
};
ControlCommands.AddTo(root);

return root.Parse(args).Invoke();
