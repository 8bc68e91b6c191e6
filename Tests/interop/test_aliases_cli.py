"""`syscorr aliases` prints basf2's create_aliases_for_selected names
(the worked examples of basf2's documentation of that function)."""
import json
import unittest

from common import run


def names(decay, variables, *flags):
    return run("aliases", decay, "--vars", variables, *flags).stdout.split()


class AliasesCLI(unittest.TestCase):
    def test_reference_examples(self):
        self.assertEqual(names("D*+ -> [D0 -> ^K- ^pi+] ^pi+", "kaonID,p"),
                         ["D0_K_kaonID", "D0_K_p", "D0_pi_kaonID", "D0_pi_p", "pi_kaonID", "pi_p"])
        self.assertEqual(names("Lambda0 -> ^p+ ^pi-", "p"), ["p_p", "pi_p"])
        self.assertEqual(names("K_S0 -> ^pi+ ^pi-", "p"), ["pi_0_p", "pi_1_p"])
        self.assertEqual(names("B0 -> mu+ e- ^e+ ^e-", "p"), ["e_2_p", "e_3_p"])
        self.assertEqual(names("B0 -> mu+ e- ^e+ ^e-", "p", "--relative-indices"), ["e_0_p", "e_1_p"])
        self.assertEqual(names("^D*+ -> [^D0 -> ^K- ^pi+] ^pi+", "massDifference(0)")[0], "massDifference__bo0__bc")
        self.assertEqual(names("K_S0 -> ^pi+ ^pi-", "binaryPID(211, 321)"), ["pi_0_binaryPID_211_321", "pi_1_binaryPID_211_321"])

    def test_json_gives_basf2_expressions(self):
        out = json.loads(run("aliases", "vpho -> [tau+ -> ^pi+ ^pi- ^pi+] [tau- -> ^pi-]", "--vars", "p", "--json").stdout)
        self.assertEqual(out, {"tau_0_pi_0_p": "daughter(0, daughter(0, p))", "tau_0_pi_1_p": "daughter(0, daughter(1, p))",
                               "tau_0_pi_2_p": "daughter(0, daughter(2, p))", "tau_1_pi_p": "daughter(1, daughter(0, p))"})

    def test_invalid_decay_string_is_located(self):
        p = run("aliases", "D*+ -> [D0 -> ^K- ^pi+ ^pi+", "--vars", "p", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("error: invalid decay string at column 28", p.stderr)
        self.assertIn("^", p.stderr)


if __name__ == "__main__":
    unittest.main()
