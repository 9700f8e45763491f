package org.switchboard.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Every key written twice in one map of a composed YAML document, located, so that they are
 * listed with the document's other errors in one round (SnakeYAML stops at the first one).
 * Merge keys ({@code <<}) bring in keys that a map may override: those are no duplicates.
 */
final class DuplicateKeys {
    private DuplicateKeys() {
    }

    static List<String> find(Node root, String sourceName) {
        List<String> found = new ArrayList<>();
        walk(root, "", sourceName, found, Collections.newSetFromMap(new IdentityHashMap<>()));
        return found;
    }

    private static void walk(Node node, String path, String sourceName, List<String> found, Set<Node> seen) {
        if (node == null || !seen.add(node)) {
            return; // an alias walked once
        }
        if (node instanceof SequenceNode sequence) {
            for (int i = 0; i < sequence.getValue().size(); i++) {
                walk(sequence.getValue().get(i), path + "[" + i + "]", sourceName, found, seen);
            }
        } else if (node instanceof MappingNode mapping) {
            Map<String, Node> keys = new HashMap<>();
            for (NodeTuple tuple : mapping.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode key) || key.getValue().equals("<<")) {
                    continue;
                }
                String child = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
                Node first = keys.putIfAbsent(key.getValue(), key);
                if (first != null) {
                    found.add(sourceName + ": line " + (key.getStartMark().getLine() + 1) + ", column "
                            + (key.getStartMark().getColumn() + 1) + ": " + child + " written again (expected each key"
                            + " once in a map; the first is at line " + (first.getStartMark().getLine() + 1) + ")");
                }
                walk(tuple.getValueNode(), child, sourceName, found, seen);
            }
        }
    }
}
