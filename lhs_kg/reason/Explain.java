// Explain: a minimal inconsistent subset of an ontology's logical axioms, for lhs-kg reason.
//
// QuickXplain (Junker 2004) with HermiT's consistency test: prints one "AXIOM<TAB>axiom" line per
// axiom of the subset and one "INDIVIDUAL<TAB>iri" line per individual they mention, or
// "CONSISTENT". Written against the OWL API 3 bundled in HermiT's jar (owlready2's copy); run by
// lhs_kg/reason/__init__.py, with the jar on the class path, in Java's source-file mode when the
// runtime has its compiler module (jdk.compiler), else compiled first with the javac beside java.
// Usage: java -cp <HermiT classpath> Explain.java <ontology file>

import java.io.File;
import java.util.*;
import org.semanticweb.HermiT.Configuration;
import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;

public class Explain {
    static OWLOntologyManager manager = OWLManager.createOWLOntologyManager();

    static boolean consistent(Collection<OWLAxiom> axioms) throws Exception {
        OWLOntology o = manager.createOntology(new HashSet<OWLAxiom>(axioms));
        try {
            Configuration c = new Configuration();
            c.ignoreUnsupportedDatatypes = true;
            Reasoner r = new Reasoner(c, o);
            boolean ok = r.isConsistent();
            r.dispose();
            return ok;
        } finally {
            manager.removeOntology(o);
        }
    }

    static List<OWLAxiom> qx(List<OWLAxiom> b, boolean delta, List<OWLAxiom> c) throws Exception {
        if (delta && !consistent(b)) return new ArrayList<OWLAxiom>();
        if (c.size() == 1) return c;
        List<OWLAxiom> c1 = c.subList(0, c.size() / 2), c2 = c.subList(c.size() / 2, c.size());
        List<OWLAxiom> b1 = new ArrayList<OWLAxiom>(b); b1.addAll(c1);
        List<OWLAxiom> d2 = qx(b1, !c1.isEmpty(), c2);
        List<OWLAxiom> b2 = new ArrayList<OWLAxiom>(b); b2.addAll(d2);
        List<OWLAxiom> d1 = qx(b2, !d2.isEmpty(), c1);
        List<OWLAxiom> out = new ArrayList<OWLAxiom>(d1); out.addAll(d2);
        return out;
    }

    public static void main(String[] args) throws Exception {
        OWLOntology ont = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        List<OWLAxiom> axioms = new ArrayList<OWLAxiom>(ont.getLogicalAxioms());
        Collections.sort(axioms);
        if (consistent(axioms)) { System.out.println("CONSISTENT"); return; }
        List<OWLAxiom> core = qx(new ArrayList<OWLAxiom>(), false, axioms);
        Set<String> individuals = new TreeSet<String>();
        for (OWLAxiom a : core) {
            System.out.println("AXIOM\t" + a);
            for (OWLNamedIndividual i : a.getIndividualsInSignature())
                individuals.add(i.getIRI().toString());
        }
        for (String i : individuals) System.out.println("INDIVIDUAL\t" + i);
    }
}
