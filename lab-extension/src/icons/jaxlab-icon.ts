import { LabIcon } from '@jupyterlab/ui-components';
import svg from '../../style/icons/jaxlab.svg';

/** Icon of JAX TPU Lab (launcher, sidebar, tabs). */
export const jaxlabIcon = new LabIcon({ name: 'jaxlab:logo', svgstr: svg });
